using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Sweeps;

/// <summary>One defense run of a sweep; the defender's clean-set size is <c>Summary.CleanSamples</c>.</summary>
public sealed record SweepRow(string Model, string Attack, string Variant, long Seed, DefenseSummary Summary)
{
    public int CleanSamples => Summary.CleanSamples;
}
