using Antidote.Data.Batching;

namespace Antidote.Training;

/// <summary>SGD with momentum and a cosine learning-rate schedule stepped once per epoch (BackdoorBench's setting).</summary>
/// <param name="FreezeBatchNorm">Keep BatchNorm layers in eval mode (running statistics fixed) while training.</param>
/// <param name="CosineTMax">Epochs of the cosine's half period; null = the epochs actually run (anneals to 0 at the end).</param>
/// <param name="MinSteps">Floor on optimizer steps: the run lasts at least enough epochs to take this many steps, so a small
/// data set is not silently under-trained by a schedule counted in epochs (0 = no floor).</param>
public sealed record TrainingSettings(
    int Epochs,
    double LearningRate,
    int BatchSize,
    double Momentum = 0.9,
    double WeightDecay = 5e-4,
    bool FreezeBatchNorm = false,
    int? CosineTMax = null,
    int MinSteps = 0)
{
    /// <summary>BackdoorBench anneals attack training and FT with T_max = 100 epochs whatever the epoch count
    /// (utils/aggregate_block/train_settings_generate.py, argparser_opt_scheduler).</summary>
    public const int BackdoorBenchCosineTMax = 100;

    /// <summary>How the paper trains backdoored models (BackdoorBench): SGD 0.01, momentum 0.9, wd 5e-4, batch 128, cosine T_max 100.</summary>
    public static TrainingSettings BackdoorBenchAttack(int epochs) => new(epochs, 0.01, 128, CosineTMax: BackdoorBenchCosineTMax);

    /// <summary>The epochs run on <paramref name="rows"/> rows: <see cref="Epochs"/>, or more where the step floor asks for them.</summary>
    public int EpochsFor(int rows)
    {
        int stepsPerEpoch = Math.Max(1, IndexBatches.Count(rows, BatchSize));
        return Math.Max(Epochs, (MinSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }
}
