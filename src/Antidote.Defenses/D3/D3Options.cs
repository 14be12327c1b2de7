using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.D3;

/// <summary>
/// Every knob of D3. Defaults: the reference implementation's CIFAR-10 settings (d3.md) for p, ε, batch and the selected
/// module; λ as a Lagrange multiplier (dual mode, its step counted per 12 SGD steps), 50 epochs with a floor of 600 SGD
/// steps, lr 0.005, the zero warm-up, the second attempt with a looser budget (<see cref="RelaxOptions"/>) and the survival
/// check (<see cref="SurvivalCheckOptions"/>) are ours, chosen by the comparisons in the README ("D3's default", "When the
/// push is pulled back", "The check becomes the default"). The reference's
/// form is LambdaMode = Fixed, Lambda = 0.5, Epochs = 100, MinSteps = 0 (fixed mode then defaults to the reference's lr 0.01
/// and random warm-up).
/// </summary>
public sealed record D3Options(
    [Description("Weights pushed away from θ0 (θ_s): classifier (the reference code's), last-stage (the model's last feature stage and the classifier) or all (every Linear/Conv weight)")]
    D3Push Push = D3Push.Classifier,
    [Description("A module path to push instead of push's choice (e.g. layer4, linear; '' = every layer)")]
    string? Module = null,
    [Description("Order p of the distance norm ‖W − W0‖_p (reference: 2)")]
    double P = 2,
    [Description("Fixed mode: weight on the clean hinge loss (0.5 is the reference code's configuration, the only verified value; 10 comes from a secondary summary of the paper that could not be checked against its text)")]
    double Lambda = 0.5,
    [Description("Per-sample clean-loss threshold ε of the hinge max(0, CE − ε) (reference: 0.1)")]
    double Epsilon = 0.1,
    [Description("Warm-up of the selected weights: random (reference), near (keep W0), middle (zeros), far (−W0), noise; default: random in fixed mode, middle in dual mode (ours)")]
    D3Initialization? Initialization = null,
    [Description("Keep BatchNorm in eval mode while training (reference: train mode; frozen gives higher ACC and higher ASR)")]
    bool FreezeBatchNorm = false,
    [Description("Epochs (reference: 100; ours 50, from the README's comparison; at least min-steps SGD steps)")]
    int Epochs = 50,
    [Description("SGD learning rate (momentum 0.9, no weight decay), cosine-annealed; default: 0.01 in fixed mode (reference), 0.005 in dual mode (ours)")]
    double? LearningRate = null,
    [Description("Batch size (reference: 256)")]
    int BatchSize = 256,
    [Description("dual (λ as the Lagrange multiplier of the clean constraint, moved by dual ascent; ours) or fixed (the paper's penalty, λ from lambda)")]
    LambdaMode LambdaMode = LambdaMode.Dual,
    DualAscentOptions? Dual = null,
    EarlyStopOptions? EarlyStop = null,
    [Description("Fraction of the clean subset held out of training to measure the clean hinge (budget, dual ascent, stopping rule); 0 = measure on the training rows, as the paper's form does")]
    double ConstraintHoldout = 0,
    [Description("Floor on SGD steps: run at least enough epochs to take this many (ours, 600: what 50 epochs give 3,000 clean images; the reference's CIFAR-10 setting takes 1,000; 0 = epochs only)")]
    int MinSteps = 600,
    [Description("Measure the clean hinge for the log every N epochs when no rule needs it every epoch (0 = never)")]
    int HingeLogEvery = 10,
    [Description("Learning rate of every parameter outside the pushed modules, as a multiple of learning-rate; default: 1 in fixed mode (the reference trains all at one rate), 0.1 in dual mode (ours); 0 = those parameters frozen")]
    double? UnpushedLearningRateScale = null,
    RelaxOptions? Relax = null,
    SurvivalCheckOptions? Survival = null) : IDefenseOptions
{
    public DualAscentOptions DualOrDefault => Dual ?? new DualAscentOptions();

    public RelaxOptions RelaxOrDefault => Relax ?? new RelaxOptions();

    public SurvivalCheckOptions SurvivalOrDefault => Survival ?? new SurvivalCheckOptions();

    /// <summary>
    /// Dual mode: on. Its further attempts loosen the budget, which only the Lagrange multiplier reads (fixed mode, the
    /// paper's form, runs as written unless asked). On backdoors made after D3's defaults were fixed, the check passed 10 of
    /// 12 PreAct-ResNet18 Blended runs where one push passed 2 (README, "The check becomes the default").
    /// </summary>
    public bool SurvivalCheckOrDefault => Survival?.Check ?? LambdaMode == LambdaMode.Dual;

    /// <summary>
    /// Fixed mode: the reference's random warm-up. Dual mode: zeros ("middle"): a random classifier sends random
    /// gradients into every layer during the first epochs, which cost the small CNN about 2 points of ACC at any λ
    /// (measured, notes of issue 3); from zeros the classifier is refitted before the features move much.
    /// </summary>
    public D3Initialization InitializationOrDefault =>
        Initialization ?? (LambdaMode == LambdaMode.Dual ? D3Initialization.Middle : D3Initialization.Random);

    /// <summary>
    /// Fixed mode: the reference's 0.01. Dual mode: 0.005. Plain fine-tuning at 0.01 on 3,000 Fashion-MNIST images
    /// already costs PreAct-ResNet18 about 2 points; the constraint holds the hinge on the subset, which does not bound
    /// what the step size costs on unseen data. At 0.005 dual mode passed issue 3's bar on the cells where 0.01 missed
    /// by a fraction of a point (notes of issue 3).
    /// </summary>
    public double LearningRateOrDefault => LearningRate ?? (LambdaMode == LambdaMode.Dual ? 0.005 : 0.01);

    /// <summary>
    /// Fixed mode: 1, the reference's single learning rate. Dual mode: 0.1. With 400 clean images, stepping the layers D3
    /// does not push at a tenth of the rate kept more ACC than 1 in every seed pair measured (0.6–1.6 points; BadNets, Blended
    /// with the photograph and with noise, SIG) at ASR ≤ 1.8%; at 3,000 it passed every cell, Blended at 4.1–4.8% ASR in three
    /// seeds where one rate left 2.6–7.5% (README, "How fast the other layers move"): the pushed classifier is refitted on
    /// the defender's few images while the features, learnt from the whole training set, move less.
    /// </summary>
    public double UnpushedLearningRateScaleOrDefault => UnpushedLearningRateScale ?? (LambdaMode == LambdaMode.Dual ? 0.1 : 1);

    public EarlyStopOptions EarlyStopOrDefault => EarlyStop ?? new EarlyStopOptions();

    /// <summary>The same options with every mode-dependent default spelled out: what a run records and compares.</summary>
    public D3Options Resolved() => this with
    {
        Initialization = InitializationOrDefault,
        LearningRate = LearningRateOrDefault,
        UnpushedLearningRateScale = UnpushedLearningRateScaleOrDefault,
        Dual = DualOrDefault,
        EarlyStop = EarlyStopOrDefault,
        Relax = RelaxOrDefault,
        // Spelled out either way (read back, a missing one means the mode's default); without the check its other settings
        // change nothing, so they are left at their defaults and every run without it has one identity.
        Survival = SurvivalCheckOrDefault ? SurvivalOrDefault with { Check = true } : new SurvivalCheckOptions(Check: false),
    };

    IDefenseOptions IDefenseOptions.Resolved() => Resolved();

    public void Validate()
    {
        OptionCheck.NotEmpty(nameof(Module), Module is "" ? null : Module);
        OptionCheck.AtLeast(nameof(P), P, 1);
        OptionCheck.NotNegative(nameof(Lambda), Lambda);
        OptionCheck.NotNegative(nameof(Epsilon), Epsilon);
        OptionCheck.Positive(nameof(Epochs), Epochs);
        if (LearningRate is double lr) OptionCheck.Positive(nameof(LearningRate), lr);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Nested(nameof(Dual), Dual);
        OptionCheck.Nested(nameof(EarlyStop), EarlyStop);
        OptionCheck.Nested(nameof(Relax), Relax);
        OptionCheck.Nested(nameof(Survival), Survival);
        OptionCheck.Fraction(nameof(ConstraintHoldout), ConstraintHoldout, allowZero: true, allowOne: false);
        OptionCheck.NotNegative(nameof(MinSteps), MinSteps);
        OptionCheck.NotNegative(nameof(HingeLogEvery), HingeLogEvery);
        if (UnpushedLearningRateScale is double scale) OptionCheck.NotNegative(nameof(UnpushedLearningRateScale), scale);
    }
}
