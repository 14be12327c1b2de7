using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Defenses.FineTuning;

namespace Antidote.Defenses.FinePruning;

/// <summary>Fine-pruning's knobs (BackdoorBench config/defense/fp/config.yaml, except where the held-out rows replace the test set).</summary>
public sealed record FinePruningOptions(
    [Description("Channels pruned per step, as a fraction of the last stage's channels (BackdoorBench once_prune_ratio: 0.01)")]
    double StepRatio = 0.01,
    [Description("Stop pruning before held-out clean accuracy falls by this fraction of the unpruned model's (BackdoorBench acc_ratio: 0.1, measured there on the test set)")]
    double AccuracyDrop = 0.1,
    [Description("Share of the clean subset held out to measure that accuracy, never pruned on (ours: BackdoorBench measures the test set)")]
    double Holdout = 0.2,
    [Description("Fine-tuning after pruning, on the whole clean subset, pruned channels kept at zero (BackdoorBench: FT's 100 epochs, SGD 0.01, wd 5e-4, cosine)")]
    FineTuningOptions? FineTune = null) : IDefenseOptions
{
    public FineTuningOptions FineTuneOrDefault => FineTune ?? new FineTuningOptions();

    public IDefenseOptions Resolved() => this with { FineTune = FineTuneOrDefault };

    public void Validate()
    {
        OptionCheck.Fraction(nameof(StepRatio), StepRatio);
        OptionCheck.Fraction(nameof(AccuracyDrop), AccuracyDrop);
        OptionCheck.Fraction(nameof(Holdout), Holdout, allowOne: false);
        OptionCheck.Nested(nameof(FineTune), FineTune);
    }
}
