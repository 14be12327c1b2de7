namespace Antidote.Defenses.FineTuning;

/// <summary>Fine-tuning as the D3 paper's baseline runs it (BackdoorBench config/defense/ft).</summary>
/// <param name="Epochs">BackdoorBench: 100.</param>
/// <param name="LearningRate">SGD learning rate, cosine-annealed over the epochs (paper: 0.01).</param>
/// <param name="BatchSize">BackdoorBench: 256.</param>
/// <param name="WeightDecay">Paper: 5e-4.</param>
public sealed record FineTuningOptions(int Epochs = 100, double LearningRate = 0.01, int BatchSize = 256, double WeightDecay = 5e-4);
