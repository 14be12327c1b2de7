using Antidote.Core.Metrics;
using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Demo;

/// <summary>One line of the demo's table: <paramref name="Seconds"/> is the training (attack) or defending time, and
/// <paramref name="Stages"/> every stage of that run, loading and scoring included.</summary>
public sealed record DemoRow(string Label, EvaluationResult Result, double? DefenseEffectiveness, double Seconds, IReadOnlyList<StageTime>? Stages = null);
