namespace Antidote.Defenses.D3;

/// <summary>How the weight λ on the clean hinge loss is chosen.</summary>
public enum LambdaMode
{
    /// <summary>A constant λ: the paper's penalty form.</summary>
    Fixed,

    /// <summary>λ is a Lagrange multiplier adapted by dual ascent against a clean-loss budget.</summary>
    Dual,
}
