namespace Antidote.Defenses.D3;

/// <summary>How the selected weights start before D3's optimisation (the reference code's "warm-up").</summary>
public enum D3Initialization
{
    /// <summary>Uniform in [−0.5, 0.5], rescaled to ‖W0‖ (reference default, "if you have no idea").</summary>
    Random,

    /// <summary>Keep W0 (slow to converge unless λ is small).</summary>
    Near,

    /// <summary>Zeros.</summary>
    Middle,

    /// <summary>−W0, the unconstrained optimum of the distance term alone (lower ASR, lower ACC).</summary>
    Far,

    /// <summary>W0 + N(0, 1)·std(W0).</summary>
    Noise,
}
