using Antidote.Core.Registries;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Defenses.None;

namespace Antidote.Defenses;

/// <summary>The defenses Antidote runs, by name.</summary>
public static class DefenseCatalog
{
    public static Registry<DefenseEntry> Default { get; } = new Registry<DefenseEntry>("defense")
        .Register(DefenseEntry.Of<D3Options>("d3",
            "Distance-Driven Detoxification: push selected weights far from the initial ones, clean loss under a bound",
            "Wei, Liu, Zha, ICCV 2025 (arXiv 2411.09585); reference defense/d3.py", o => new D3Defense(o)))
        .Register(DefenseEntry.Of<FineTuningOptions>("ft",
            "plain fine-tuning on the clean subset (SGD 0.01, momentum 0.9, wd 5e-4, cosine)",
            "BackdoorBench defense/ft.py", o => new FineTuningDefense(o)))
        .Register(DefenseEntry.Of<NoDefenseOptions>("none", "no defense: the model as it came (a sweep's baseline row)",
            "BackdoorBench's 'no defense' rows", _ => new NoDefense()));

    /// <summary>The name of the defense whose options record <paramref name="options"/> is.</summary>
    public static string NameOf(IDefenseOptions options) =>
        Default.Entries.First(e => e.OptionsType == options.GetType()).Name;
}
