using Antidote.Core.Runtime;
using Antidote.Defenses.NeuralCleanse;

namespace Antidote.Experiments.Scan;

/// <summary>`antidote scan`: look for a backdoor in a run folder's model from clean data alone.</summary>
/// <param name="Run">An attack or defense run folder.</param>
/// <param name="CleanRatio">The defender's clean share of the training set; a defense run's own clean rows are used instead.</param>
/// <param name="Holdout">Share of those clean rows kept out of the trigger search, to measure each trigger's success.</param>
/// <param name="CompareInput">For a defense run: also scan the model the defense started from, on the same rows, and compare.</param>
/// <param name="Survival">How that comparison is read.</param>
public sealed record ScanSettings(
    string Run,
    TriggerSearchOptions Search,
    double CleanRatio = 0.05,
    double Holdout = 0.2,
    long Seed = 0,
    string? DataDirectory = null,
    ComputeSettings? Compute = null,
    bool CompareInput = false,
    SurvivalRule? Survival = null)
{
    public SurvivalRule SurvivalOrDefault => Survival ?? new SurvivalRule();
}
