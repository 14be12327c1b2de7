namespace Antidote.Attacks;

/// <summary>
/// Which training rows the attack changed and how, and the facts needed to redo it: saved with every attack run so the
/// poisoned set can be rebuilt and audited.
/// </summary>
/// <param name="Indices">Rows poisoned (<see cref="PoisonRole.Poisoned"/>).</param>
/// <param name="Cross">Rows changed but keeping their label (<see cref="PoisonRole.Cross"/>); null = none.</param>
public sealed record PoisonPlan(string Attack, LabelMode LabelMode, int Target, double PoisonRatio, long Seed, int[] Indices, int[]? Cross = null)
{
    public int[] Rows(PoisonRole role) => role == PoisonRole.Poisoned ? Indices : Cross ?? [];
}
