namespace Antidote.Defenses.D3;

/// <summary>
/// Every knob of D3. Defaults: the reference implementation's CIFAR-10 settings (d3.md) for p, ε, batch and the selected
/// module; λ as a Lagrange multiplier (dual mode, its step counted per 12 SGD steps), 50 epochs with a floor of 600 SGD
/// steps, lr 0.005 and the zero warm-up are ours, chosen by the comparison in the README ("D3's default"). The reference's form is LambdaMode = Fixed,
/// Lambda = 0.5, Epochs = 100, MinSteps = 0 (fixed mode then defaults to the reference's lr 0.01 and random warm-up).
/// </summary>
/// <param name="Module">Module whose Linear/Conv weights are selected (θ_s); null = the model's final classifier; "" = every layer.</param>
/// <param name="P">Order of the distance norm ‖W − W0‖_p (reference: 2).</param>
/// <param name="Lambda">Weight on the clean hinge loss in fixed mode (0.5: the reference code's configuration, the only
/// verified value; 10 appears only in a secondary summary of the paper that could not be checked against its text). Dual mode starts from <see cref="DualAscentOptions.Start"/> instead.</param>
/// <param name="Epsilon">Per-sample clean-loss threshold of the hinge max(0, CE − ε) (reference: 0.1).</param>
/// <param name="Initialization">Warm-up of the selected weights; null = the mode's default (<see cref="InitializationOrDefault"/>).</param>
/// <param name="FreezeBatchNorm">Keep BatchNorm in eval mode (reference: train mode; frozen gives higher ACC and ASR).</param>
/// <param name="Epochs">Reference: 100; ours 50 (the README's comparison; at least, see <paramref name="MinSteps"/>).</param>
/// <param name="MinSteps">Floor on SGD steps: D3 runs at least enough epochs to take this many. Counted in epochs, a smaller
/// clean set gets proportionally fewer steps (the reference's CIFAR-10 setting takes 1,000: 2,500 images, batch 256, 100
/// epochs). Ours, 600, is what 50 epochs give 3,000 clean images (5% of Fashion-MNIST), where the default was first
/// measured: with 400 images, 100 steps left Blended at 8–13% ASR and 600 removed it (README). 0 = epochs only.</param>
/// <param name="HingeLogEvery">Measure the clean hinge on the subset every this many epochs for the log when nothing else
/// needs it (dual mode and the stopping rule measure it every epoch); 0 = never.</param>
/// <param name="LearningRate">SGD (momentum 0.9, no weight decay), cosine-annealed per epoch; null = the mode's default
/// (<see cref="LearningRateOrDefault"/>).</param>
/// <param name="BatchSize">Reference: 256.</param>
/// <param name="LambdaMode">Dual (ours: λ as the constraint's multiplier, moved by dual ascent) or Fixed (the paper's penalty).</param>
/// <param name="Dual">Settings of dual ascent, used when <paramref name="LambdaMode"/> is Dual.</param>
/// <param name="EarlyStop">The clean-data stopping rule (always reported, applied when enabled).</param>
/// <param name="ConstraintHoldout">Fraction of the clean subset held out of training to measure the clean hinge for the
/// budget, dual ascent and the stopping rule (0 = measure on the training data itself, as the paper's form does). A
/// hinge measured on data D3 trains on shows fit, not generalisation.</param>
public sealed record D3Options(
    string? Module = null,
    double P = 2,
    double Lambda = 0.5,
    double Epsilon = 0.1,
    D3Initialization? Initialization = null,
    bool FreezeBatchNorm = false,
    int Epochs = 50,
    double? LearningRate = null,
    int BatchSize = 256,
    LambdaMode LambdaMode = LambdaMode.Dual,
    DualAscentOptions? Dual = null,
    EarlyStopOptions? EarlyStop = null,
    double ConstraintHoldout = 0,
    int MinSteps = 600,
    int HingeLogEvery = 10)
{
    public DualAscentOptions DualOrDefault => Dual ?? new DualAscentOptions();

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

    public EarlyStopOptions EarlyStopOrDefault => EarlyStop ?? new EarlyStopOptions();

    /// <summary>The same options with every mode-dependent default spelled out: what a run records and compares.</summary>
    public D3Options Resolved() => this with
    {
        Initialization = InitializationOrDefault,
        LearningRate = LearningRateOrDefault,
        Dual = DualOrDefault,
        EarlyStop = EarlyStopOrDefault,
    };
}
