using Antidote.Core.Runtime;
using Antidote.Defenses;

namespace Antidote.Experiments.Runs;

/// <summary>Everything `antidote defend` ran with; saved as the run's config.json.</summary>
/// <param name="From">The attack run folder whose model is defended; in a run folder's config.json, relative to that folder.</param>
/// <param name="Options">The defense's options record (it names the defense); only the chosen defense's options are kept.</param>
/// <param name="CleanRatio">Fraction of the clean training set the defender holds (paper: 0.05).</param>
/// <param name="EvalEvery">Evaluate ACC/ASR/RA every this many epochs (0 = only before and after).</param>
public sealed record DefenseRunConfig(
    string From,
    IDefenseOptions Options,
    double CleanRatio = 0.05,
    long Seed = 0,
    string? DataDirectory = null,
    int EvalEvery = 0,
    ComputeSettings? Compute = null)
{
    public string Method => DefenseCatalog.NameOf(Options);
}
