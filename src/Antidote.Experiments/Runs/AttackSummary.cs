using Antidote.Core.Metrics;

namespace Antidote.Experiments.Runs;

/// <summary>An attack run's headline: the trained model's metrics, how many rows were poisoned, the training time, and the
/// wall time of every stage of the run (null in run folders written before stages were timed).</summary>
public sealed record AttackSummary(string Attack, EvaluationResult Result, int PoisonedSamples, double Seconds,
    IReadOnlyList<StageTime>? Stages = null);
