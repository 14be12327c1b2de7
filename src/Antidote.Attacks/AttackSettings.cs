using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Attacks;

/// <summary>The poisoning settings every attack shares; each attack's trigger has its own options record.</summary>
public sealed record AttackSettings(
    [Description("The attack's target label, all-to-one (BackdoorBench: 0)")]
    int Target = 0,
    [Description("Fraction of the training set poisoned (BackdoorBench: 0.1)")]
    double PoisonRatio = 0.1,
    [Description("How poisoned samples are relabelled: all-to-one or all-to-all (y + 1 mod K)")]
    LabelMode LabelMode = LabelMode.AllToOne) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.NotNegative(nameof(Target), Target);
        OptionCheck.Fraction(nameof(PoisonRatio), PoisonRatio, allowZero: true);
    }
}
