using Antidote.Training;

namespace Antidote.Defenses.FineTuning;

/// <summary>Fine-tuning as the D3 paper's baseline runs it (BackdoorBench config/defense/ft).</summary>
/// <param name="Epochs">BackdoorBench: 100.</param>
/// <param name="LearningRate">SGD learning rate, cosine-annealed (paper: 0.01).</param>
/// <param name="BatchSize">BackdoorBench: 256.</param>
/// <param name="WeightDecay">Paper: 5e-4.</param>
/// <param name="CosineTMax">Cosine half period in epochs; BackdoorBench's scheduler uses 100 whatever the epoch count
/// (null = anneal over the epochs run).</param>
/// <param name="MinSteps">Floor on SGD steps (0 = none): a small clean set runs more epochs (see D3's option of the same name).</param>
public sealed record FineTuningOptions(
    int Epochs = 100,
    double LearningRate = 0.01,
    int BatchSize = 256,
    double WeightDecay = 5e-4,
    int? CosineTMax = TrainingSettings.BackdoorBenchCosineTMax,
    int MinSteps = 0);
