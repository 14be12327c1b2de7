using Antidote.Defenses.D3;

namespace Antidote.Experiments.Sweeps;

/// <summary>One D3 setting compared in a sweep, with the label its rows carry ("fixed-0.5", "dual").</summary>
public sealed record D3Variant(string Label, D3Options Options);
