namespace Antidote.Defenses.D3;

/// <summary>
/// Decides from clean-data signals only (distance plateau, clean hinge within budget) when D3 has done its
/// work. The defender has no poisoned data, so nothing else may inform the decision.
/// </summary>
public sealed class CleanStoppingRule(EarlyStopOptions options, double budget)
{
    private readonly List<double> _distances = [];

    /// <summary>The clean hinge the rule (and dual ascent) holds D3 to.</summary>
    public double Budget => budget;

    /// <summary>Whether firing ends training (--early-stop) or is only reported.</summary>
    public bool StopsTraining => options.Enabled;

    /// <summary>The first epoch at which the rule fired, if it has.</summary>
    public int? FiredAt { get; private set; }

    /// <summary>Sees an epoch's end; returns true the first time the rule fires and on every epoch after.</summary>
    public bool Observe(int epoch, double distance, double cleanHinge)
    {
        _distances.Add(distance);
        if (FiredAt is not null) return true;
        if (_distances.Count <= options.Window || cleanHinge > budget) return false;
        double before = _distances[^(options.Window + 1)];
        // Both ways: from the zero warm-up the clean data first pulls the classifier back toward θ0 (PreAct-ResNet18: to
        // 0.4× in six epochs), and a shrinking distance counted as a plateau stopped every such run there.
        bool plateau = Math.Abs(distance - before) <= options.Tolerance * Math.Abs(distance);
        if (plateau) FiredAt = epoch;
        return plateau;
    }
}
