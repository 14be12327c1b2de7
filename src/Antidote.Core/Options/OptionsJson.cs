using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Antidote.Core.Options;

/// <summary>
/// JSON as Antidote writes and reads it (run folders, options): indented, camelCase, enums by kebab-case name, computed
/// properties left out, and unknown keys refused (a misspelt key in a hand-edited file is an error, not a silent default).
/// </summary>
public static class OptionsJson
{
    public static JsonSerializerOptions Create(params JsonConverter[] converters)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            IgnoreReadOnlyProperties = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        foreach (var converter in converters) options.Converters.Add(converter);
        return options;
    }

    public static readonly JsonSerializerOptions Default = Create();

    /// <summary>A component's default options: its record built from "{}", every parameter at its declared default.</summary>
    public static IComponentOptions Defaults(Type optionsType) => FromJson(new JsonObject(), optionsType, optionsType.Name);

    public static JsonObject ToJson(IComponentOptions options) =>
        JsonSerializer.SerializeToNode(options, options.GetType(), Default)!.AsObject();

    /// <summary>Reads options of <paramref name="optionsType"/>; <paramref name="what"/> names the source in the error.</summary>
    public static IComponentOptions FromJson(JsonNode node, Type optionsType, string what)
    {
        try
        {
            return (IComponentOptions)(node.Deserialize(optionsType, Default) ?? throw new AntidoteException($"{what}: options are null"));
        }
        catch (JsonException e)
        {
            throw new AntidoteException($"{what}: {e.Message.Split('\n')[0]}", e);
        }
    }
}
