using Antidote.Core.Metrics;

namespace Antidote.Experiments.Demo;

/// <summary>One line of the demo's table.</summary>
public sealed record DemoRow(string Label, EvaluationResult Result, double? DefenseEffectiveness, double Seconds);
