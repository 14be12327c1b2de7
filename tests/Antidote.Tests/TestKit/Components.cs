using Antidote.Attacks;
using Antidote.Core.Logging;
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

    /// <summary>The attack's own smoke options (offline: Blended blends its noise pattern, not the downloaded photograph).</summary>
    public static IAttackOptions AttackOptions(string name) => (IAttackOptions)AttackCatalog.Default.Get(name).SmokeOptions;

    /// <summary>What an attack's prepare phase gets: a tiny clean training set of the data's shape and a small CNN factory.</summary>
    public static AttackPreparation Preparation(DatasetInfo info)
    {
        // Drawn from its own seeded generator: the global one's state depends on what ran before in the process, and an
        // attack prepared on different images each run made a test fail now and then.
        var generator = new Generator().manual_seed(16);
        var clean = new ImageDataset(rand([16, info.Channels, info.Height, info.Width], generator: generator),
            randint(0, info.Classes, [16], dtype: ScalarType.Int64, generator: generator));
        var spec = new ModelSpec(Model("small-cnn"), info.Channels, info.Classes, info.Height, info.Width);
        return new AttackPreparation(clean, () => ModelCatalog.Create(spec), DataPipeline.For(info, CPU, augment: false), 0, NullRunLog.Instance);
    }

    /// <summary>The architecture at the test size it declares itself.</summary>
    public static IModelOptions Model(string name) => (IModelOptions)ModelCatalog.Default.Get(name).SmokeOptions;
}
