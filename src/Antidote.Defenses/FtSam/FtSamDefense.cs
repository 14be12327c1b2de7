using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Models;
using Antidote.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Defenses.FtSam;

/// <summary>FT-SAM as BackdoorBench runs it (config/defense/ft-sam/config.yaml, defense/ft-sam.py).</summary>
public sealed record FtSamOptions(
    [Description("Epochs (BackdoorBench: 100)")]
    int Epochs = 100,
    [Description("SGD learning rate, momentum 0.9 (BackdoorBench: 0.01)")]
    double LearningRate = 0.01,
    [Description("Batch size (BackdoorBench: 256)")]
    int BatchSize = 256,
    [Description("SGD weight decay (BackdoorBench: 5e-4)")]
    double WeightDecay = 5e-4,
    [Description("Neighbourhood radius ρ of the sharpness-aware step (BackdoorBench rho_max = rho_min: 2.0, L29-30)")]
    double Rho = 2.0,
    [Description("Adaptive SAM: the radius is measured in |w|-scaled coordinates (BackdoorBench: on, --adaptive is store_false, ft-sam.py L195)")]
    bool Adaptive = true,
    [Description("Label smoothing: 1 − s on the label, s/(K − 1) on every other class (BackdoorBench: 0.1, L31)")]
    double LabelSmoothing = 0.1,
    [Description("Cosine half period of the learning rate (BackdoorBench: 100)")]
    int CosineTMax = TrainingSettings.BackdoorBenchCosineTMax,
    [Description("Step the cosine schedule after every batch, as ft-sam.py does (its lr then cycles every 2·T_max steps), instead of every epoch")]
    bool ScheduleEveryStep = true,
    [Description("Floor on SGD steps: a small clean set runs more epochs (0 = epochs only)")]
    int MinSteps = 0) : IDefenseOptions
{
    public TrainingSettings Settings() => new(Epochs, LearningRate, BatchSize, WeightDecay: WeightDecay, CosineTMax: CosineTMax, MinSteps: MinSteps);

    public void Validate()
    {
        OptionCheck.Positive(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.NotNegative(nameof(WeightDecay), WeightDecay);
        OptionCheck.Positive(nameof(Rho), Rho);
        OptionCheck.Fraction(nameof(LabelSmoothing), LabelSmoothing, allowZero: true, allowOne: false);
        OptionCheck.Positive(nameof(CosineTMax), CosineTMax);
        OptionCheck.NotNegative(nameof(MinSteps), MinSteps);
    }
}

/// <summary>
/// FT-SAM (Zhu et al., ICCV 2023): fine-tuning with sharpness-aware minimisation, which BackdoorBench shows pulls the
/// weights out of the sharp region a backdoor sits in. Each step takes the gradient g at w, moves to w + e with
/// e = ρ·g/‖g‖ (adaptive: e = ρ·w²·g/‖|w|·g‖, so that ‖e/|w|‖ = ρ), takes the gradient there with batch-norm statistics
/// left alone, returns to w and lets SGD step with that second gradient (BackdoorBench's SAM with sam_alpha 0).
/// </summary>
public sealed class FtSamDefense(FtSamOptions options) : IDefense
{
    public string Name => "ft-sam";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "ft-sam");
        var model = context.CopyOfModel();
        var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, options.Settings(), new SharpnessAwareObjective(options),
            Seeds.Stream(context.Seed, "ft-sam-order"), context.Log, "ft-sam", r => context.OnEpoch?.Invoke(r, model), context.Cancel);
        return new DefenseOutcome(model, epochs);
    }
}

/// <summary>The sharpness-aware step (two forward/backward passes per batch).</summary>
public sealed class SharpnessAwareObjective(FtSamOptions options) : ITrainingObjective
{
    private optim.lr_scheduler.LRScheduler? _perStepSchedule;

    public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs)
    {
        if (!options.ScheduleEveryStep) return TrainingOptimizers.SgdCosine(model, settings, epochs);
        var sgd = optim.SGD(model.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
        _perStepSchedule = optim.lr_scheduler.CosineAnnealingLR(sgd, options.CosineTMax);
        return new TrainingOptimizers([sgd], []);
    }

    public float Step(ImageClassifier model, Tensor inputs, Tensor labels, TrainingOptimizers optimizers, StepMetrics metrics)
    {
        optimizers.ZeroGrad();
        var loss = Loss(model, inputs, labels, metrics);
        loss.backward();
        var parameters = model.parameters().Where(p => p.grad is not null).ToList();
        var perturbation = Perturbation(parameters, options.Rho, options.Adaptive);
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++) parameters[i].add_(perturbation[i]);
        optimizers.ZeroGrad();
        using (new FrozenBatchNormStatistics(model))
            SmoothedCrossEntropy(model.call(inputs), labels, options.LabelSmoothing).backward();
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++) parameters[i].sub_(perturbation[i]);
        optimizers.Step();
        _perStepSchedule?.step();
        return loss.item<float>();
    }

    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        metrics.AddAccuracy("train_acc", logits, labels);
        return SmoothedCrossEntropy(logits, labels, options.LabelSmoothing);
    }

    /// <summary>e per parameter from its gradient: ρ·g/‖g‖, or adaptive ρ·w²·g/‖|w|·g‖ (norms over all parameters at once,
    /// 1e-12 added to the denominator as BackdoorBench's SAM does).</summary>
    public static List<Tensor> Perturbation(IReadOnlyList<Tensor> parameters, double rho, bool adaptive)
    {
        using var _ = no_grad();
        var scaled = parameters.Select(p => adaptive ? p.abs() * p.grad! : p.grad!).ToList();
        double norm = Math.Sqrt(scaled.Sum(s => (double)s.square().sum().item<float>()));
        double scale = rho / (norm + 1e-12);
        return parameters.Select((p, i) => adaptive ? p.square() * p.grad! * scale : p.grad! * scale).ToList();
    }

    /// <summary>Cross-entropy against 1 − s on the label and s/(K − 1) on every other class (BackdoorBench's smooth_crossentropy).</summary>
    public static Tensor SmoothedCrossEntropy(Tensor logits, Tensor labels, double smoothing)
    {
        long classes = logits.shape[1];
        var onehot = nn.functional.one_hot(labels, classes).to_type(logits.dtype);
        var target = onehot * (float)(1 - smoothing) + (1 - onehot) * (float)(smoothing / (classes - 1));
        return -(target * logits.log_softmax(1)).sum(1).mean();
    }

    /// <summary>Keeps batch norm's running statistics as they were through the second pass (BackdoorBench's
    /// disable_running_stats), while the layers still normalise with the batch's statistics.</summary>
    private sealed class FrozenBatchNormStatistics : IDisposable
    {
        private readonly List<(Tensor Running, Tensor Saved)> _saved = [];

        public FrozenBatchNormStatistics(ImageClassifier model)
        {
            foreach (var (_, module) in model.named_modules())
                if (module is BatchNorm2d or BatchNorm1d)
                    foreach (var (name, buffer) in module.named_buffers(recurse: false))
                        _saved.Add((buffer, buffer.detach().clone()));
        }

        public void Dispose()
        {
            using var _ = no_grad();
            foreach (var (running, saved) in _saved)
            {
                running.copy_(saved);
                saved.Dispose();
            }
        }
    }
}
