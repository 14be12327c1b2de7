namespace Antidote.Defenses.D3;

/// <summary>How D3's weight λ on the clean hinge evolves: a choice, not a fork of the method.</summary>
public interface ILambdaRule
{
    double Value { get; }

    /// <summary>Sees the epoch's mean clean hinge and moves λ for the next epoch.</summary>
    void Update(double epochHinge);
}
