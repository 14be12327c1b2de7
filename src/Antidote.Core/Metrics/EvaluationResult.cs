namespace Antidote.Core.Metrics;

/// <summary>ACC, ASR and RA of one model (fractions in [0, 1]).</summary>
public sealed record EvaluationResult(double Accuracy, double AttackSuccessRate, double RobustAccuracy)
{
    /// <summary>DER of this result measured against the model before the defense.</summary>
    public double DefenseEffectivenessAgainst(EvaluationResult before) =>
        BackdoorMetrics.DefenseEffectivenessRating(before.Accuracy, before.AttackSuccessRate, Accuracy, AttackSuccessRate);
}
