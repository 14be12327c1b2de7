namespace Antidote.Defenses.D3;

/// <summary>
/// λ as a Lagrange multiplier of "clean hinge ≤ budget": projected dual ascent, λ ← max(0, λ + step·(hinge − budget)).
/// It rises while the constraint is violated and falls while there is slack.
/// </summary>
public sealed class DualAscentLambda(double start, double step, double budget) : ILambdaRule
{
    public double Value { get; private set; } = start;

    public double Budget { get; } = budget;

    public void Update(double epochHinge) => Value = Math.Max(0, Value + step * (epochHinge - Budget));
}
