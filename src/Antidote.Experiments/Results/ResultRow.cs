using Antidote.Core.Metrics;
using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Results;

/// <summary>One finished run: what it is (<see cref="RunRecord"/>), where, and what it measured.</summary>
/// <param name="Folder">The run folder's name (relative to the sink's folder).</param>
/// <param name="Before">The model's metrics before a defense (null for attack runs).</param>
public sealed record ResultRow(
    RunRecord Run,
    string Folder,
    EvaluationResult? Before,
    EvaluationResult After,
    double? DefenseEffectiveness,
    double Seconds,
    int? CleanSamples = null,
    int? Epochs = null,
    IReadOnlyDictionary<string, double>? Facts = null);
