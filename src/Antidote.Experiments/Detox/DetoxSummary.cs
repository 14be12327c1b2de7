using Antidote.Core.Metrics;
using Antidote.Defenses.NeuralCleanse;

namespace Antidote.Experiments.Detox;

/// <summary>What detox measured on the held-out images before and after, how long the defense took, and where the cleaned
/// weights went. ASR and RA are NaN without a trigger to measure them with (RA also without true labels). With a scan, what it
/// found from clean data before and after, and whether the class that stood out before still does.</summary>
public sealed record DetoxSummary(
    string Method, EvaluationResult Before, EvaluationResult After, double Seconds, int TrainImages, int HeldOutImages, int TriggeredImages,
    string Output, string Format, string KeyPrefix, ScanReport? ScanBefore = null, ScanReport? ScanAfter = null,
    ScanComparison? Survival = null);
