using System.Text.Json.Nodes;
using Antidote.Attacks;
using Antidote.Attacks.Blended;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.TestKit;

/// <summary>Registered components built the way the experiments build them, small enough for a unit test.</summary>
public static class Components
{
    /// <summary>A prepared attack: <paramref name="options"/> or the entry's defaults (Blended's photograph replaced by its
    /// noise pattern: a unit test does not fetch Debian packages).</summary>
    public static IAttack Attack(string name, DatasetInfo info, AttackSettings? settings = null, IAttackOptions? options = null)
    {
        var entry = AttackCatalog.Default.Get(name);
        options ??= AttackOptions(name);
        var attack = entry.Create(new AttackRequest(info, settings ?? new AttackSettings(), options));
        attack.Prepare(Preparation(info));
        return attack;
    }

    /// <summary>The attack's default options, without downloads (Blended's photograph replaced by its noise pattern).</summary>
    public static IAttackOptions AttackOptions(string name) =>
        AttackCatalog.Default.Get(name).DefaultOptions is BlendedOptions blended ? blended with { Trigger = BlendTrigger.Noise } : AttackCatalog.Default.Get(name).DefaultOptions;

    /// <summary>What an attack's prepare phase gets: a tiny clean training set of the data's shape and a small CNN factory.</summary>
    public static AttackPreparation Preparation(DatasetInfo info)
    {
        var clean = new ImageDataset(rand(16, info.Channels, info.Height, info.Width), randint(0, info.Classes, [16], dtype: ScalarType.Int64));
        var spec = new ModelSpec(Model("small-cnn"), info.Channels, info.Classes, info.Height, info.Width);
        return new AttackPreparation(clean, () => ModelCatalog.Create(spec), DataPipeline.For(info, CPU, augment: false), 0, NullRunLog.Instance);
    }

    /// <summary>A tiny version of an architecture: its "width" field (if it has one) set to <paramref name="width"/>, and the
    /// size fields of the larger ones cut down (hidden units 16, 2 layers of 2 heads, MLP 32, patches of 4 pixels); the rest at
    /// the defaults.</summary>
    public static IModelOptions Model(string name, int width = 8)
    {
        var entry = ModelCatalog.Default.Get(name);
        var json = OptionsJson.ToJson(entry.DefaultOptions);
        var tiny = new Dictionary<string, int> { ["width"] = width, ["hidden"] = 16, ["layers"] = 2, ["heads"] = 2, ["mlpDim"] = 32, ["patchSize"] = 4 };
        foreach (string key in json.Select(kv => kv.Key).Where(tiny.ContainsKey).ToList())
            json[key] = JsonValue.Create(tiny[key]);
        return (IModelOptions)OptionsJson.FromJson(json, entry.OptionsType, name);
    }
}
