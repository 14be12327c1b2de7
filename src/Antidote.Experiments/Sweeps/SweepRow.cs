using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Sweeps;

/// <summary>One defense run of a sweep.</summary>
public sealed record SweepRow(string Model, string Attack, string Variant, long Seed, DefenseSummary Summary);
