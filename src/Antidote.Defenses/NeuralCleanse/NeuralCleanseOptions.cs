using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Defenses.FineTuning;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>Neural Cleanse as a defense (BackdoorBench config/defense/nc/config.yaml).</summary>
public sealed record NeuralCleanseOptions(
    TriggerSearchOptions? Search = null,
    [Description("Share of the clean subset stamped with each flagged class's reversed trigger, true labels kept, for unlearning (BackdoorBench unlearning_ratio: 0.2)")]
    double UnlearningRatio = 0.2,
    [Description("Fine-tuning on the clean and stamped rows when a class is flagged (BackdoorBench: 100 epochs, SGD 0.01, wd 5e-4, cosine)")]
    FineTuningOptions? FineTune = null) : IDefenseOptions
{
    public TriggerSearchOptions SearchOrDefault => Search ?? new TriggerSearchOptions();

    public FineTuningOptions FineTuneOrDefault => FineTune ?? new FineTuningOptions();

    public IDefenseOptions Resolved() => this with { Search = SearchOrDefault, FineTune = FineTuneOrDefault };

    public void Validate()
    {
        OptionCheck.Nested(nameof(Search), Search);
        OptionCheck.Fraction(nameof(UnlearningRatio), UnlearningRatio, allowOne: false);
        OptionCheck.Nested(nameof(FineTune), FineTune);
    }
}
