using Antidote.Core.Metrics;

namespace Antidote.Experiments.Runs;

/// <summary>A defense run's headline: the model before and after, DER, how long the defense took, how many epochs it
/// ran, and where its clean-data stopping rule fired (if it has one and it did).</summary>
public sealed record DefenseSummary(string Method, EvaluationResult Before, EvaluationResult After, double DefenseEffectiveness, double Seconds,
    int CleanSamples, int Epochs, int? StopEpoch);
