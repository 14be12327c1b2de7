using Antidote.Defenses;

namespace Antidote.Experiments.Sweeps;

/// <summary>One defense setting compared in a sweep, with the label its rows carry ("dual", "fixed-0.5", "ft").</summary>
public sealed record SweepVariant(string Label, string Method, DefenseOptions Options);
