using System.ComponentModel;
using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Data.Transforms;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.InputAware;

/// <summary>Input-aware's generators and losses (BackdoorBench config/attack/inputaware/default.yaml).</summary>
public sealed record InputAwareOptions(
    [Description("Epochs the mask generator trains on clean data before the classifier (BackdoorBench clean_train_epochs, L32: 25)")]
    int MaskEpochs = 25,
    [Description("Mask density: the mask's mean above it is penalised (L27: 0.032)")]
    double MaskDensity = 0.032,
    [Description("Weight of the diversity loss, ‖x1 − x2‖ / ‖g(x1) − g(x2)‖ (L23: 1)")]
    double LambdaDiv = 1,
    [Description("Weight of the mask-density penalty while the mask generator trains (L24: 100)")]
    double LambdaNorm = 100,
    [Description("Adam learning rate of the pattern generator, betas (0.5, 0.9) (lr_G: 0.01)")]
    double GeneratorLearningRate = 0.01,
    [Description("Adam learning rate of the mask generator, betas (0.5, 0.9) (lr_M: 0.01)")]
    double MaskLearningRate = 0.01,
    [Description("Cross rows per poisoned row in each batch: another image's pattern and mask, label kept (inputaware.py L838: num_cross = num_bd, so 1)")]
    double CrossRatio = 1,
    [Description("Batch size of the mask generator's training (BackdoorBench: the attack's, 128)")]
    int MaskBatchSize = 128) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.NotNegative(nameof(MaskEpochs), MaskEpochs);
        OptionCheck.Fraction(nameof(MaskDensity), MaskDensity);
        OptionCheck.NotNegative(nameof(LambdaDiv), LambdaDiv);
        OptionCheck.NotNegative(nameof(LambdaNorm), LambdaNorm);
        OptionCheck.Positive(nameof(GeneratorLearningRate), GeneratorLearningRate);
        OptionCheck.Positive(nameof(MaskLearningRate), MaskLearningRate);
        OptionCheck.NotNegative(nameof(CrossRatio), CrossRatio);
        OptionCheck.Positive(nameof(MaskBatchSize), MaskBatchSize);
    }
}

/// <summary>
/// Input-aware dynamic backdoor (Nguyen &amp; Tran, NeurIPS 2020), as BackdoorBench runs it (inputaware.py). Every image gets its
/// own trigger: x' = x + (g(x) − x)·m(x), a pattern g and a mask m made by two generators from the image itself. The mask
/// generator trains first, on clean data, for <c>MaskEpochs</c> epochs (density penalty plus diversity loss), then is frozen;
/// the pattern generator trains together with the classifier: in each batch int(ratio × n) rows are triggered and relabelled,
/// as many "cross" rows get the pattern and mask of another image and keep their label, and the loss is cross-entropy plus the
/// diversity loss, which keeps different images from getting the same pattern. The generators read normalised images and are
/// kept in the run folder; without them nobody, a defender included, can make the trigger.
/// BackdoorBench multiplies the diversity loss by λ_div twice while the mask trains; with its λ_div of 1 that is the same.
/// </summary>
public sealed class InputAwareAttack(AttackRequest request, InputAwareOptions options) : IAttack
{
    public const string PatternFile = "input-aware-pattern.weights";
    public const string MaskFile = "input-aware-mask.weights";

    /// <summary>BackdoorBench's schedules: the classifier's MultiStepLR at 100/200/300/400, the pattern generator's at
    /// 200/300/400/500, the mask generator's at 10/20, each γ 0.1 (default.yaml).</summary>
    private static readonly int[] ClassifierMilestones = [100, 200, 300, 400], PatternMilestones = [200, 300, 400, 500], MaskMilestones = [10, 20];

    private const double Epsilon = 1e-7;

    private InputAwareGenerator? _pattern;
    private InputAwareGenerator? _mask;
    private Tensor? _mean, _std;

    public string Name => "input-aware";

    public LabelPolicy Labels { get; } = request.Labels;

    public bool CleanLabel => false;

    public InputAwareGenerator PatternGenerator => _pattern ?? throw new InvalidOperationException("input-aware: the generators are made in Prepare or loaded with LoadArtifacts");

    public InputAwareGenerator MaskGenerator => _mask ?? throw new InvalidOperationException("input-aware: the generators are made in Prepare or loaded with LoadArtifacts");

    public void Prepare(AttackPreparation context)
    {
        Create(context.Pipeline.Device, context.Seed);
        TrainMask(context);
    }

    public PoisonPlan Plan(int[] labels, AttackSettings settings, long seed) => PoisonPlan.ForBatches(this, settings, seed);

    public ITrainingObjective TrainingObjective(ImageDataset train) => new JointTraining(this, train);

    /// <summary>The pattern generator stops learning with the classifier: its batch norm keeps the statistics it gathered.</summary>
    public void TrainingFinished(ImageClassifier victim)
    {
        PatternGenerator.eval();
        SetLearning(PatternGenerator, false);
    }

    public void SaveArtifacts(string runFolder)
    {
        ModelCheckpoint.Save(PatternGenerator, Path.Combine(runFolder, PatternFile));
        ModelCheckpoint.Save(MaskGenerator, Path.Combine(runFolder, MaskFile));
    }

    public void LoadArtifacts(string runFolder)
    {
        foreach (string file in new[] { PatternFile, MaskFile })
            if (!File.Exists(Path.Combine(runFolder, file)))
                throw new AntidoteException($"{runFolder}: the input-aware run has no {file}");
        Create(CPU, seed: 0);
        ModelCheckpoint.Load(PatternGenerator, Path.Combine(runFolder, PatternFile));
        ModelCheckpoint.Load(MaskGenerator, Path.Combine(runFolder, MaskFile));
        Freeze();
    }

    /// <summary>x + (g(x) − x)·m(x), in batches, without gradients, the generators in evaluation mode (batch norm from its
    /// running statistics, as BackdoorBench evaluates), whatever mode training left them in.</summary>
    public Tensor ApplyTrigger(Tensor images)
    {
        using var _ = no_grad();
        bool training = PatternGenerator.training;
        PatternGenerator.eval();
        try
        {
            return Triggered(images);
        }
        finally
        {
            if (training) PatternGenerator.train();
        }
    }

    /// <summary>The trigger learns while the victim trains: scores during training must remake the triggered test set.</summary>
    public bool TriggerLearnsWithVictim => true;

    private Tensor Triggered(Tensor images)
    {
        var device = images.device;
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += 256)
        {
            using var scope = NewDisposeScope();
            var x = images.narrow(0, start, Math.Min(256, images.shape[0] - start)).to(Device);
            var (pattern, mask) = PatternAndMask(Normalise(x));
            parts.Add((x + (pattern - x) * mask).clamp(0, 1).to(device).MoveToOuterDisposeScope());
        }
        var result = cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return result;
    }

    public void Dispose()
    {
        _pattern?.Dispose();
        _mask?.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }

    private Device Device => _mean!.device;

    private AttackRequest Request => request;

    private InputAwareOptions Options => options;

    private void Create(Device device, long seed)
    {
        Dispose();
        var info = request.Dataset;
        Seeds.SeedTorch(seed, "input-aware-generators");
        _pattern = InputAwareGenerator.For(info.Channels, info.Channels);
        _mask = InputAwareGenerator.For(info.Channels, 1);
        _pattern.to(device);
        _mask.to(device);
        _mean = tensor(info.Mean, device: device).view(1, -1, 1, 1);
        _std = tensor(info.Std, device: device).view(1, -1, 1, 1);
    }

    private void Freeze()
    {
        foreach (var generator in new[] { PatternGenerator, MaskGenerator })
        {
            generator.eval();
            SetLearning(generator, false);
        }
    }

    private Tensor Normalise(Tensor x) => (x - _mean!) / _std!;

    /// <summary>The pattern (pixels in (0, 1)) and the thresholded mask of normalised images.</summary>
    private (Tensor Pattern, Tensor Mask) PatternAndMask(Tensor normalised) =>
        (PatternGenerator.call(normalised), InputAwareGenerator.Threshold(MaskGenerator.call(normalised)));

    /// <summary>mean over rows of ‖a − b‖ / (‖p − q‖ + ε), norms as root-mean-square per row (BackdoorBench's diversity loss).
    /// Unlike BackdoorBench, a tiny constant under each square root: two saturated masks can be exactly equal, and the square
    /// root's gradient at 0 would turn the step into NaN.</summary>
    private static Tensor Diversity(Tensor a, Tensor b, Tensor p, Tensor q) =>
        (RootMeanSquare(a - b) / (RootMeanSquare(p - q) + Epsilon)).mean();

    private static Tensor RootMeanSquare(Tensor x) => (x.square().mean([1, 2, 3]) + 1e-12).sqrt();

    /// <summary>The mask generator's clean-data phase (inputaware.py train_mask_step): pairs of shuffled batches, loss
    /// λ_norm·mean(relu(m(x1) − density)) + λ_div·diversity(x1, x2, m(x1), m(x2)).</summary>
    private void TrainMask(AttackPreparation context)
    {
        var train = context.CleanTrain;
        var augmentation = TrainAugmentation.For(request.Dataset);
        using var adam = optim.Adam(MaskGenerator.parameters(), options.MaskLearningRate, 0.5, 0.9);
        var schedule = optim.lr_scheduler.MultiStepLR(adam, MaskMilestones, 0.1);
        var first = Seeds.Stream(context.Seed, "input-aware-mask-1");
        var second = Seeds.Stream(context.Seed, "input-aware-mask-2");
        int steps = IndexBatches.Count(train.Count, options.MaskBatchSize);
        var clock = Stopwatch.StartNew();
        Seeds.SeedTorch(context.Seed, "input-aware-mask-augment");
        for (int epoch = 1; epoch <= options.MaskEpochs; epoch++)
        {
            MaskGenerator.train();
            double lossSum = 0, normSum = 0;
            int step = 0;
            foreach (var (rows1, rows2) in IndexBatches.Shuffled(train.Count, options.MaskBatchSize, first)
                         .Zip(IndexBatches.Shuffled(train.Count, options.MaskBatchSize, second)))
            {
                context.Cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int n = Math.Min(rows1.Length, rows2.Length);
                var x1 = Normalise(augmentation.Apply(train.Batch(rows1[..n], Device).Images));
                var x2 = Normalise(augmentation.Apply(train.Batch(rows2[..n], Device).Images));
                var m1 = InputAwareGenerator.Threshold(MaskGenerator.call(x1));
                var m2 = InputAwareGenerator.Threshold(MaskGenerator.call(x2));
                var norm = nn.functional.relu(m1 - options.MaskDensity).mean();
                var loss = norm * options.LambdaNorm + Diversity(x1, x2, m1, m2) * options.LambdaDiv;
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new AntidoteException($"input-aware: the mask generator's loss is {lossValue} at epoch {epoch}, step {step + 1}");
                adam.zero_grad();
                loss.backward();
                adam.step();
                // A finite loss can still take a step to NaN weights (the diversity loss divides by the masks' distance);
                // the attack would then train the victim on NaN images.
                if (!MaskGenerator.parameters().All(p => p.isfinite().all().item<bool>()))
                    throw new AntidoteException($"input-aware: the mask generator's weights became NaN or infinite at epoch {epoch}, step {step + 1} " +
                                                "(try a lower --input-aware-mask-learning-rate or another --seed)");
                lossSum += lossValue;
                normSum += norm.item<float>();
                step++;
                double done = (epoch - 1) * steps + step, total = options.MaskEpochs * steps;
                context.Log.Progress(new ProgressUpdate("input-aware mask", epoch, options.MaskEpochs, step, steps, lossSum / step,
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (total - done))));
            }
            schedule.step();
            context.Log.Info($"input-aware mask epoch {epoch}/{options.MaskEpochs} loss {lossSum / step:F4} density excess {normSum / step:F4}");
        }
        MaskGenerator.eval();
        SetLearning(MaskGenerator, false);
    }

    private static void SetLearning(InputAwareGenerator generator, bool learning)
    {
        foreach (var parameter in generator.parameters()) parameter.requires_grad = learning;
    }

    /// <summary>The classifier and the pattern generator trained together (inputaware.py train_step). The clean batch is
    /// augmented the dataset's way first, as BackdoorBench's loader does before the attack sees it.</summary>
    private sealed class JointTraining(InputAwareAttack attack, ImageDataset train) : ITrainingObjective
    {
        private readonly TrainAugmentation _augmentation = TrainAugmentation.For(attack.Request.Dataset);
        private Tensor? _diversity;
        private int _poisoned;

        public bool AugmentsBatch => true;

        public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs)
        {
            attack.PatternGenerator.train();
            SetLearning(attack.PatternGenerator, true);
            var sgd = optim.SGD(model.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
            var adam = optim.Adam(attack.PatternGenerator.parameters(), attack.Options.GeneratorLearningRate, 0.5, 0.9);
            return new TrainingOptimizers([sgd, adam],
                [optim.lr_scheduler.MultiStepLR(sgd, ClassifierMilestones, 0.1), optim.lr_scheduler.MultiStepLR(adam, PatternMilestones, 0.1)]);
        }

        public (Tensor Images, Tensor Labels) PrepareBatch(Tensor images, Tensor labels, long[] rows)
        {
            int n = rows.Length;
            var x = _augmentation.Apply(images);
            int poisoned = PerBatchPoisoning.PoisonedCount(attack.Request.Settings.PoisonRatio, n);
            int cross = poisoned == 0 ? 0 : Math.Min((int)(poisoned * attack.Options.CrossRatio), n - poisoned);
            _poisoned = poisoned;
            _diversity = null;
            if (poisoned == 0) return (x, labels);
            // The second images come from the whole training set, as BackdoorBench's second shuffled loader gives them.
            int others = Math.Max(poisoned, cross);
            var otherRows = randint(0, train.Count, [others], dtype: ScalarType.Int64).data<long>().ToArray();
            var x2 = _augmentation.Apply(train.Batch(otherRows, x.device).Images);

            var bd = x.narrow(0, 0, poisoned);
            var bdInputs = attack.Normalise(bd);
            var otherInputs = attack.Normalise(x2);
            var (pattern1, mask1) = attack.PatternAndMask(bdInputs);
            var parts = new List<Tensor> { (bd + (pattern1 - bd) * mask1).clamp(0, 1) };
            var (pattern2, mask2) = attack.PatternAndMask(otherInputs);
            if (cross > 0)
            {
                var crossRows = x.narrow(0, poisoned, cross);
                parts.Add((crossRows + (pattern2.narrow(0, 0, cross) - crossRows) * mask2.narrow(0, 0, cross)).clamp(0, 1));
            }
            if (poisoned + cross < n) parts.Add(x.narrow(0, poisoned + cross, n - poisoned - cross));
            _diversity = Diversity(bdInputs, otherInputs.narrow(0, 0, poisoned),
                attack.Normalise(pattern1), attack.Normalise(pattern2.narrow(0, 0, poisoned)));
            return (cat(parts, 0), PerBatchPoisoning.Relabel(attack.Labels, labels, poisoned));
        }

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            var logits = model.call(inputs);
            PerBatchPoisoning.AddScores(metrics, logits, labels, _poisoned);
            var loss = nn.functional.cross_entropy(logits, labels);
            if (_poisoned == 0 || _diversity is null) return loss;
            metrics.Add("diversity", _diversity.item<float>(), _poisoned);
            return loss + _diversity * attack.Options.LambdaDiv;
        }
    }
}
