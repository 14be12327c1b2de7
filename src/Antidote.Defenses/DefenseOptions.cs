using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;

namespace Antidote.Defenses;

/// <summary>The options of every registered defense; each factory takes its own part.</summary>
public sealed record DefenseOptions(D3Options? D3 = null, FineTuningOptions? FineTuning = null)
{
    public D3Options D3OrDefault => D3 ?? new D3Options();

    public FineTuningOptions FineTuningOrDefault => FineTuning ?? new FineTuningOptions();

    /// <summary>The same options with D3's mode-dependent defaults spelled out: what a run records and compares. Parts that
    /// were not given stay absent, so a run records only what it was handed.</summary>
    public DefenseOptions Resolved() => this with { D3 = D3?.Resolved() };
}
