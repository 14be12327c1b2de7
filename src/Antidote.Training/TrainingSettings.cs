namespace Antidote.Training;

/// <summary>SGD with momentum and a cosine learning-rate schedule stepped once per epoch (BackdoorBench's setting).</summary>
/// <param name="FreezeBatchNorm">Keep BatchNorm layers in eval mode (running statistics fixed) while training.</param>
public sealed record TrainingSettings(
    int Epochs,
    double LearningRate,
    int BatchSize,
    double Momentum = 0.9,
    double WeightDecay = 5e-4,
    bool FreezeBatchNorm = false);
