namespace Antidote.Attacks;

/// <summary>
/// Which training rows the attack changed and how, and the facts needed to redo it: saved with every attack run so the
/// poisoned set can be rebuilt and audited.
/// </summary>
/// <param name="Indices">Rows poisoned (<see cref="PoisonRole.Poisoned"/>).</param>
/// <param name="Cross">Rows changed but keeping their label (<see cref="PoisonRole.Cross"/>); null = none.</param>
/// <param name="PerBatch">The attack poisons while the model trains, <see cref="PoisonRatio"/> of every batch drawn anew
/// (WaNet, BPP), instead of fixed rows; <see cref="Indices"/> is then empty.</param>
public sealed record PoisonPlan(string Attack, LabelMode LabelMode, int Target, double PoisonRatio, long Seed, int[] Indices, int[]? Cross = null,
    bool PerBatch = false)
{
    /// <summary>The plan of an attack that poisons per batch: no fixed rows.</summary>
    public static PoisonPlan ForBatches(IAttack attack, AttackSettings settings, long seed) =>
        new(attack.Name, attack.Labels.Mode, attack.Labels.Target, settings.PoisonRatio, seed, [], PerBatch: true);

    /// <summary>One line for the log.</summary>
    public string Describe(int trainingRows) => PerBatch
        ? $"{(PoisonRatio * 100).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}% of every training batch poisoned while the model trains"
        : $"{Indices.Length} of {trainingRows} training images poisoned";

    public int[] Rows(PoisonRole role) => role == PoisonRole.Poisoned ? Indices : Cross ?? [];
}
