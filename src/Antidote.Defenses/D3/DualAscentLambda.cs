namespace Antidote.Defenses.D3;

/// <summary>
/// λ as the Lagrange multiplier of "clean hinge ≤ budget", moved by dual ascent on log λ:
/// λ ← clamp(λ·exp(step·clamp((hinge − budget)/budget, −1, 1))). It rises while the constraint is violated and falls
/// while there is slack. The relative violation is capped at 100%: after the warm-up the clean hinge starts several
/// times over budget whatever λ is (the classifier is being refitted), and an uncapped step would send λ to its maximum
/// in a few epochs (measured). The bounds keep λ positive and able to come back.
/// </summary>
public sealed class DualAscentLambda(double start, double step, double budget) : ILambdaRule
{
    public const double Min = 1e-2, Max = 1e3;

    public double Value { get; private set; } = Math.Clamp(start, Min, Max);

    public double Budget { get; } = budget;

    public void Update(double epochHinge) =>
        Value = Math.Clamp(Value * Math.Exp(step * Math.Clamp((epochHinge - Budget) / Budget, -1, 1)), Min, Max);
}
