namespace Antidote.Defenses.D3;

/// <summary>The paper's form: λ never moves.</summary>
public sealed class FixedLambda(double lambda) : ILambdaRule
{
    public double Value { get; } = lambda;

    public void Update(double epochHinge) { }
}
