using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.D3;

/// <summary>
/// What dual-mode D3 does when its own clean-data check says the push failed: the pushed weights ended closer to θ0 than
/// <paramref name="BelowDistance"/> (Σ‖W − W0‖ / Σ‖W0‖; the zero warm-up starts at 1; by default the line D3 warns below),
/// i.e. the budget could only be met by drawing them back toward the backdoored weights. D3 then starts again from the input
/// model with the budget <paramref name="BudgetFactor"/> times looser, at most <paramref name="Attempts"/> more times, and
/// keeps the first attempt that ends beyond the distance (else the last). Each attempt is exactly a fresh run with that
/// budget scale and the same seed. Ours, from the README's comparison ("When the push is pulled back"); the paper has no such step.
/// </summary>
public sealed record RelaxOptions(
    [Description("Dual mode: start again with a looser budget when the pushed weights end below this relative distance from θ0 (ours; 0 = never)")]
    double BelowDistance = D3Defense.PulledBackBelow,
    [Description("Dual mode: each new attempt multiplies the budget scale by this")]
    double BudgetFactor = 2,
    [Description("Dual mode: at most this many attempts after the first (0 = never start again)")]
    int Attempts = 1) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.NotNegative(nameof(BelowDistance), BelowDistance);
        OptionCheck.AtLeast(nameof(BudgetFactor), BudgetFactor, 1);
        OptionCheck.NotNegative(nameof(Attempts), Attempts);
    }
}
