namespace Antidote.Attacks;

/// <summary>
/// Which training rows were poisoned, and the facts needed to redo it: saved with every attack run so the
/// poisoned set can be rebuilt and audited.
/// </summary>
public sealed record PoisonPlan(string Attack, LabelMode LabelMode, int Target, double PoisonRatio, long Seed, int[] Indices);
