using Antidote.Core.Metrics;
using Antidote.Defenses.NeuralCleanse;

namespace Antidote.Experiments.Scan;

/// <summary>What the scan found, and beside it what the run itself measured with the real trigger (never seen by the scan:
/// it is there to check the scan against). With --compare-input, the scan of the model the defense started from and whether the class
/// that stood out there still does.</summary>
public sealed record ScanSummary(ScanReport Report, EvaluationResult? Measured, int SearchImages, ScanReport? Before = null,
    ScanComparison? Survival = null);
