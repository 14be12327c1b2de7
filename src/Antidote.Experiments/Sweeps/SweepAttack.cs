using Antidote.Attacks;

namespace Antidote.Experiments.Sweeps;

/// <summary>An attack of a sweep: its options, the poisoning settings (target, ratio, label mode) and the attack run's seed,
/// with the label its rows carry ("badnets+target=3").</summary>
public sealed record SweepAttack(string Label, IAttackOptions Options, AttackSettings Settings, long Seed = 0)
{
    public SweepAttack(string label, IAttackOptions options) : this(label, options, new AttackSettings()) { }
}
