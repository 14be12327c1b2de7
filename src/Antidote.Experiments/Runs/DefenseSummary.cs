using Antidote.Core.Metrics;

namespace Antidote.Experiments.Runs;

/// <summary>A defense run's headline: the model before and after, DER, how long the defense took, how many epochs it
/// ran, what the defense reported about itself (D3: "stop_epoch", where its clean-data stopping rule fired), and the wall
/// time of every stage of the run (null in run folders written before stages were timed).</summary>
public sealed record DefenseSummary(string Method, EvaluationResult Before, EvaluationResult After, double DefenseEffectiveness, double Seconds,
    int CleanSamples, int Epochs, IReadOnlyDictionary<string, double>? Facts = null, IReadOnlyList<StageTime>? Stages = null)
{
    /// <summary>The epoch at which the defense's clean-data stopping rule fired, if it has one and it did.</summary>
    public int? StopEpoch => Facts is not null && Facts.TryGetValue("stop_epoch", out double epoch) ? (int)epoch : null;
}
