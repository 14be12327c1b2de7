using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>How Neural Cleanse searches for the smallest trigger that sends clean images to one class (BackdoorBench
/// config/defense/nc/config.yaml and defense/nc.py).</summary>
public sealed record TriggerSearchOptions(
    [Description("Passes over the clean data per class (BackdoorBench nc_epoch: 80)")]
    int Epochs = 80,
    [Description("Batch size (BackdoorBench: 256)")]
    int BatchSize = 256,
    [Description("Adam learning rate of mask and pattern, betas (0.5, 0.9) (BackdoorBench mask_lr: 0.1)")]
    double LearningRate = 0.1,
    [Description("Initial weight of the mask's L1 norm (BackdoorBench init_cost: 1e-3)")]
    double InitialCost = 1e-3,
    [Description("Fraction of an epoch's images that must reach the class for a mask to count (BackdoorBench atk_succ_threshold: 98%)")]
    double SuccessThreshold = 0.98,
    [Description("Epochs above (below) the threshold before the cost goes up (down) (BackdoorBench patience: 5)")]
    int Patience = 5,
    [Description("Factor the cost goes up by; it goes down by its 1.5th power (BackdoorBench cost_multiplier: 2)")]
    double CostMultiplier = 2,
    [Description("Stop a class after this many epochs without the best norm falling below early-stop-threshold times itself, once the cost has gone both up and down (BackdoorBench early_stop_patience: 25)")]
    int EarlyStopPatience = 25,
    [Description("Relative improvement that resets the early-stop count (BackdoorBench early_stop_threshold: 0.99)")]
    double EarlyStopThreshold = 0.99,
    [Description("Anomaly index above which a class with a smaller-than-median mask is flagged (Neural Cleanse: 2)")]
    double AnomalyThreshold = 2,
    [Description("Mask shape: per-pixel (Neural Cleanse, small patches) or uniform (one weight for the whole image, a faint blend: Blended triggers)")]
    TriggerMask Mask = TriggerMask.PerPixel) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.NotNegative(nameof(InitialCost), InitialCost);
        OptionCheck.Fraction(nameof(SuccessThreshold), SuccessThreshold);
        OptionCheck.Positive(nameof(Patience), Patience);
        OptionCheck.AtLeast(nameof(CostMultiplier), CostMultiplier, 1);
        OptionCheck.Positive(nameof(EarlyStopPatience), EarlyStopPatience);
        OptionCheck.Fraction(nameof(EarlyStopThreshold), EarlyStopThreshold);
        OptionCheck.Positive(nameof(AnomalyThreshold), AnomalyThreshold);
    }
}
