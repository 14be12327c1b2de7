using System.Text.Json;
using System.Text.Json.Serialization;
using Antidote.Core;
using Antidote.Core.IO;

namespace Antidote.Experiments.Runs;

/// <summary>JSON as run folders store it: indented, camelCase, enums by name.</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string path, T value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Options));

    public static T Read<T>(string path)
    {
        if (!File.Exists(path))
            throw new AntidoteException($"{path} not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new AntidoteException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new AntidoteException($"{path}: not valid ({e.Message})", e);
        }
    }
}
