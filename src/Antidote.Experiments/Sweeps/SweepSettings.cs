using Antidote.Attacks;
using Antidote.Core.Runtime;
using Antidote.Models;

namespace Antidote.Experiments.Sweeps;

/// <summary>A defense sweep: one backdoored model per (model, attack), every variant on every clean-set size with every
/// defense seed.</summary>
/// <param name="CleanRatios">The defender's clean fractions of the training set, one cell per value.</param>
/// <param name="MaxAsr">A cell passes when every seed ends at ASR ≤ this …</param>
/// <param name="MaxAccuracyDrop">… and ACC at most this far below the backdoored model's, or below plain FT's (the variant
/// labelled "ft" in the same cell, mean over its seeds) where FT itself loses more (fractions; issue 11: 0.05 and 0.02).</param>
/// <param name="Shard">The slice of the defense runs this process runs (null: all).</param>
/// <param name="EvalEvery">Each defense run measures ACC/ASR/RA every this many epochs (0: only before and after), for the
/// report's per-epoch figure.</param>
/// <param name="Store">The results store: a SQLite file or a PostgreSQL connection string (null: results.db in Out).</param>
public sealed record SweepSettings(
    string Out,
    IReadOnlyList<SweepComponent<IModelOptions>> Models,
    IReadOnlyList<SweepAttack> Attacks,
    IReadOnlyList<SweepVariant> Variants,
    IReadOnlyList<long> Seeds,
    IReadOnlyList<double> CleanRatios,
    string Dataset = "fashion-mnist",
    string? DataDirectory = null,
    int AttackEpochs = 10,
    double MaxAsr = 0.05,
    double MaxAccuracyDrop = 0.02,
    ComputeSettings? Compute = null,
    SweepShard? Shard = null,
    string? Store = null,
    int EvalEvery = 0);
