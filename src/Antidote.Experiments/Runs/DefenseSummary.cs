using Antidote.Core.Metrics;

namespace Antidote.Experiments.Runs;

/// <summary>A defense run's headline: the model before and after, DER, and how long the defense took.</summary>
public sealed record DefenseSummary(string Method, EvaluationResult Before, EvaluationResult After, double DefenseEffectiveness, double Seconds, int CleanSamples);
