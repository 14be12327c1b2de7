using System.Text.Json;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Options;
using Antidote.Defenses;
using Antidote.Models;

namespace Antidote.Experiments.Runs;

/// <summary>JSON as run folders store it (<see cref="OptionsJson"/>): a component's options carry "$type", its registered
/// name, and are read back through its registry; unknown keys are refused.</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = OptionsJson.Create(
        new ComponentOptionsConverter<IModelOptions, ModelEntry>(ModelCatalog.Default),
        new ComponentOptionsConverter<IAttackOptions, AttackEntry>(AttackCatalog.Default),
        new ComponentOptionsConverter<IDefenseOptions, DefenseEntry>(DefenseCatalog.Default));

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
            throw new AntidoteException($"{path}: not valid ({e.Message.Split('\n')[0]})", e);
        }
        catch (InvalidOptionException e)
        {
            throw new AntidoteException($"{path}: {e.Message}", e);
        }
    }
}
