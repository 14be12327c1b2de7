using Antidote.Core.Metrics;

namespace Antidote.Experiments.Detox;

/// <summary>What detox measured on the held-out images before and after, how long the defense took, and where the cleaned
/// weights went. ASR and RA are NaN without a trigger to measure them with (RA also without true labels).</summary>
public sealed record DetoxSummary(
    string Method, EvaluationResult Before, EvaluationResult After, double Seconds, int TrainImages, int HeldOutImages, int TriggeredImages,
    string Output, string Format, string KeyPrefix);
