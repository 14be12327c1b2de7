namespace Antidote.Training;

/// <summary>SGD with momentum and a cosine learning-rate schedule stepped once per epoch (BackdoorBench's setting).</summary>
/// <param name="FreezeBatchNorm">Keep BatchNorm layers in eval mode (running statistics fixed) while training.</param>
public sealed record TrainingSettings(
    int Epochs,
    double LearningRate,
    int BatchSize,
    double Momentum = 0.9,
    double WeightDecay = 5e-4,
    bool FreezeBatchNorm = false)
{
    /// <summary>How the paper trains backdoored models (BackdoorBench): SGD 0.01, momentum 0.9, wd 5e-4, batch 128, cosine.</summary>
    public static TrainingSettings BackdoorBenchAttack(int epochs) => new(epochs, 0.01, 128);
}
