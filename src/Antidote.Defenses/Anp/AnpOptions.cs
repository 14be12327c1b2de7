using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.Anp;

/// <summary>ANP's knobs (BackdoorBench config/defense/anp/config.yaml and defense/anp.py), with the held-out rows where
/// BackdoorBench reads the test set.</summary>
public sealed record AnpOptions(
    [Description("Bound ε on the relative perturbation of each norm neuron (BackdoorBench anp_eps: 0.4)")]
    double Eps = 0.4,
    [Description("Sign-gradient ascent steps on the perturbation per batch (BackdoorBench anp_steps: 1)")]
    int Steps = 1,
    [Description("Weight α of the natural loss against the perturbed one (BackdoorBench anp_alpha: 0.2)")]
    double Alpha = 0.2,
    [Description("Mask-training batches, drawn with replacement (BackdoorBench nb_iter: 2000)")]
    int Iterations = 2000,
    [Description("Batch size (BackdoorBench: 256)")]
    int BatchSize = 256,
    [Description("SGD learning rate of the masks, momentum 0.9 (BackdoorBench: lr 0.01)")]
    double MaskLearningRate = 0.01,
    [Description("Largest pruning threshold tried (BackdoorBench pruning_max: 0.90)")]
    double PruningMax = 0.9,
    [Description("Step between thresholds tried (BackdoorBench pruning_step: 0.05)")]
    double PruningStep = 0.05,
    [Description("Prune every neuron whose mask is at most this; unset = the largest threshold tried whose held-out clean accuracy stays within accuracy-drop (BackdoorBench picks the one with the lowest test ASR)")]
    double? Threshold = null,
    [Description("Largest fall of held-out clean accuracy, as a fraction of the unpruned model's, a threshold may cause (BackdoorBench acc_ratio: 0.1, on the test set)")]
    double AccuracyDrop = 0.1,
    [Description("Share of the clean subset held out to choose the threshold, never used to learn the masks (ours)")]
    double Holdout = 0.2) : IDefenseOptions
{
    public void Validate()
    {
        OptionCheck.Fraction(nameof(Eps), Eps, allowZero: true);
        OptionCheck.Positive(nameof(Steps), Steps);
        OptionCheck.Fraction(nameof(Alpha), Alpha, allowZero: true);
        OptionCheck.Positive(nameof(Iterations), Iterations);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Positive(nameof(MaskLearningRate), MaskLearningRate);
        OptionCheck.Fraction(nameof(PruningMax), PruningMax);
        OptionCheck.Fraction(nameof(PruningStep), PruningStep);
        if (Threshold is double t) OptionCheck.Fraction(nameof(Threshold), t, allowZero: true);
        OptionCheck.Fraction(nameof(AccuracyDrop), AccuracyDrop);
        OptionCheck.Fraction(nameof(Holdout), Holdout, allowOne: false);
    }
}
