using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Training;

namespace Antidote.Defenses.FineTuning;

/// <summary>Fine-tuning as the D3 paper's baseline runs it (BackdoorBench config/defense/ft).</summary>
public sealed record FineTuningOptions(
    [Description("Epochs (BackdoorBench: 100)")]
    int Epochs = 100,
    [Description("SGD learning rate, cosine-annealed (paper: 0.01)")]
    double LearningRate = 0.01,
    [Description("Batch size (BackdoorBench: 256)")]
    int BatchSize = 256,
    [Description("SGD weight decay (paper: 5e-4)")]
    double WeightDecay = 5e-4,
    [Description("Cosine half period in epochs (BackdoorBench's scheduler: 100 whatever the epoch count; 0 = anneal over the epochs run)")]
    int CosineTMax = TrainingSettings.BackdoorBenchCosineTMax,
    [Description("Floor on SGD steps: a small clean set runs more epochs (0 = epochs only)")]
    int MinSteps = 0) : IDefenseOptions
{
    /// <summary>The trainer's settings for these options (SGD with momentum 0.9, cosine).</summary>
    public TrainingSettings Settings() => new(Epochs, LearningRate, BatchSize, WeightDecay: WeightDecay,
        CosineTMax: CosineTMax == 0 ? null : CosineTMax, MinSteps: MinSteps);

    public void Validate()
    {
        OptionCheck.Positive(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.NotNegative(nameof(WeightDecay), WeightDecay);
        OptionCheck.NotNegative(nameof(CosineTMax), CosineTMax);
        OptionCheck.NotNegative(nameof(MinSteps), MinSteps);
    }
}
