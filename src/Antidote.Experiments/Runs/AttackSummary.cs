using Antidote.Core.Metrics;

namespace Antidote.Experiments.Runs;

/// <summary>An attack run's headline: the trained model's metrics, how many rows were poisoned, and the time taken.</summary>
public sealed record AttackSummary(string Attack, EvaluationResult Result, int PoisonedSamples, double Seconds);
