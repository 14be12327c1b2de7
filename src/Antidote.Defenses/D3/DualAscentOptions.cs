namespace Antidote.Defenses.D3;

/// <summary>Dual ascent on D3's constraint: after each epoch, λ ← max(0, λ + step·(hinge − budget)).</summary>
/// <param name="Step">Dual step size.</param>
/// <param name="BudgetScale">Budget = scale × the initial model's clean hinge on the subset, floored at <paramref name="BudgetFloor"/>.</param>
/// <param name="BudgetFloor">Smallest budget (a clean model's hinge on its own training data is often ~0).</param>
public sealed record DualAscentOptions(double Step = 1.0, double BudgetScale = 1.0, double BudgetFloor = 0.05);
