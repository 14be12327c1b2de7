namespace Antidote.Defenses.D3;

/// <summary>
/// Dual ascent on D3's constraint "clean hinge ≤ budget": after each epoch, λ ← max(0, λ + step·(hinge − budget)),
/// where hinge is measured on the defender's clean subset in eval mode without augmentation, the same way the
/// budget is measured on the initial model.
/// </summary>
/// <param name="Step">Dual step size per epoch.</param>
/// <param name="BudgetScale">Budget = scale × the initial model's clean hinge on the subset, floored at <paramref name="BudgetFloor"/>.</param>
/// <param name="BudgetFloor">Smallest budget (a model's hinge on data it was trained on can be ~0).</param>
public sealed record DualAscentOptions(double Step = 1.0, double BudgetScale = 1.0, double BudgetFloor = 0.05);
