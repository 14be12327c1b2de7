using Antidote.Defenses;

namespace Antidote.Experiments.Sweeps;

/// <summary>One defense setting compared in a sweep, with the label its rows carry ("d3", "d3+lambda-mode=fixed", "ft").</summary>
public sealed record SweepVariant(string Label, IDefenseOptions Options)
{
    public string Method => DefenseCatalog.NameOf(Options);
}
