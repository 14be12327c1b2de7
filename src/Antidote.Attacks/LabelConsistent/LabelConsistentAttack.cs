using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Attacks.CleanModels;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.LabelConsistent;

/// <summary>Label-consistent's perturbation, surrogate and trigger.</summary>
public sealed record LabelConsistentOptions(
    [Description("L∞ bound of the adversarial perturbation, in pixel units of 255 (BackdoorBench's lc.py reads the ε 16 file; its crafting script writes ε 8)")]
    double Epsilon = 16,
    [Description("PGD step, in pixel units of 255 (BackdoorBench craft_adv_dataset.py: 1.5)")]
    double StepSize = 1.5,
    [Description("PGD steps (craft_adv_dataset.py: 100)")]
    int Steps = 100,
    [Description("Corner trigger amplitude: 1 drives its pixels to black and white (BackdoorBench reduced_amplitude: 1)")]
    double Amplitude = 1,
    [Description("Epochs of the clean surrogate model the perturbations are computed against (BackdoorBench reads a model trained elsewhere)")]
    int SurrogateEpochs = 10,
    [Description("PGD steps of adversarial training for the surrogate (BackdoorBench's unshipped surrogate is adversarially trained); 0 = standard training")]
    int SurrogateAdversarialSteps = 0,
    [Description("BackdoorBench's adversarial training images instead of PGD here (lc.py reads resource/label-consistent/data/{model}_{dataset}_16_train.npy: uint8 (N, H, W, C), image i perturbed from training row i); the corner pattern is still added")]
    string? ImagesFile = null) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.NotNegative(nameof(Epsilon), Epsilon);
        if (Epsilon > 255) OptionCheck.Fail(nameof(Epsilon), "must be at most 255 (pixel units)");
        OptionCheck.Positive(nameof(StepSize), StepSize);
        OptionCheck.NotNegative(nameof(Steps), Steps);
        OptionCheck.Fraction(nameof(Amplitude), Amplitude);
        OptionCheck.NotNegative(nameof(SurrogateEpochs), SurrogateEpochs);
        OptionCheck.NotNegative(nameof(SurrogateAdversarialSteps), SurrogateAdversarialSteps);
        OptionCheck.NotEmpty(nameof(ImagesFile), ImagesFile);
    }
}

/// <summary>
/// Label-consistent backdoor (Turner, Tsipras &amp; Madry 2019; BackdoorBench lc): clean-label. Target-class training images
/// are first pushed away from their class by PGD against a clean surrogate model (L∞ ε, so the model must lean on something
/// else to classify them), then stamped with the "all-corners" pattern: a 3×3 ±1 pattern in each corner, added at amplitude
/// × 255 and clipped, so at amplitude 1 its pixels are black or white. Labels are kept. Test images get the pattern only.
/// The surrogate is trained here, with Antidote's trainer, on the clean training set (standard training by default: it is a
/// fraction of the cost, and the perturbation only has to make the images hard; <c>SurrogateAdversarialSteps</c> trains it
/// adversarially as the paper's and BackdoorBench's surrogate was). The patterns are BackdoorBench's (utils/bd_img_transform/lc.py);
/// on sides other than 32 they stay 3×3 at the corners, where BackdoorBench resizes its 32×32 mask by nearest neighbour.
/// With <c>ImagesFile</c> the perturbed images are BackdoorBench's, read row by row as lc.py does, and no surrogate is trained.
/// </summary>
public sealed class LabelConsistentAttack : IAttack
{
    /// <summary>The surrogate's weights, kept in the run folder to audit the perturbations.</summary>
    public const string SurrogateFile = "lc-surrogate.weights";

    // (row, column, sign) of the all-corners pattern; negative indices count from the bottom or the right.
    private static readonly (int Row, int Column, int Sign)[] Corners =
    [
        (0, 0, 1), (0, 1, -1), (0, 2, -1), (1, 0, -1), (1, 1, 1), (1, 2, -1), (2, 0, 1), (2, 1, -1), (2, 2, 1),
        (-1, 0, 1), (-1, 1, -1), (-1, 2, 1), (-2, 0, -1), (-2, 1, 1), (-2, 2, -1), (-3, 0, 1), (-3, 1, -1), (-3, 2, -1),
        (0, -1, 1), (0, -2, -1), (0, -3, -1), (1, -1, -1), (1, -2, 1), (1, -3, -1), (2, -1, 1), (2, -2, -1), (2, -3, 1),
        (-1, -1, 1), (-1, -2, -1), (-1, -3, 1), (-2, -1, -1), (-2, -2, 1), (-2, -3, -1), (-3, -1, 1), (-3, -2, -1), (-3, -3, -1),
    ];

    private readonly LabelConsistentOptions _options;
    private readonly DatasetInfo _dataset;
    private AttackPreparation? _preparation;
    private ImageClassifier? _surrogate;
    private PrecomputedImages? _perturbed;

    public LabelConsistentAttack(AttackRequest request, LabelConsistentOptions options)
    {
        if (request.Settings.LabelMode != LabelMode.AllToOne)
            throw new AntidoteException("lc is a clean-label, all-to-one attack");
        if (request.Dataset.Height < 6 || request.Dataset.Width < 6)
            throw new AntidoteException("lc: its corner patterns need images of at least 6x6 pixels");
        Labels = request.Labels;
        _options = options;
        _dataset = request.Dataset;
    }

    public string Name => "lc";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => true;

    /// <summary>The corner pattern as an additive tensor [1, 1, H, W] of ±amplitude (0 elsewhere).</summary>
    public Tensor Pattern(long height, long width, Device device)
    {
        var pattern = zeros([1, 1, height, width], device: device);
        foreach (var (row, column, sign) in Corners)
            pattern[0, 0, row < 0 ? height + row : row, column < 0 ? width + column : column] = tensor((float)(sign * _options.Amplitude));
        return pattern;
    }

    public Tensor ApplyTrigger(Tensor images) => (images + Pattern(images.shape[2], images.shape[3], images.device)).clamp(0, 1);

    /// <summary>Keeps what the surrogate needs; it is trained when the first training rows are poisoned (test rows need only
    /// the pattern, so `show-attack` and a rebuilt attack never train one); reads BackdoorBench's perturbed images if given.</summary>
    public void Prepare(AttackPreparation context)
    {
        _preparation = context;
        if (_options.ImagesFile is null) return;
        _perturbed?.Dispose();
        _perturbed = PrecomputedImages.ReadNpy(_options.ImagesFile, _dataset, context.CleanTrain.Count, "training");
        context.Log.Info($"lc: {_perturbed.Count} perturbed training images read from {_options.ImagesFile}");
    }

    private ImageClassifier Surrogate()
    {
        if (_surrogate is not null) return _surrogate;
        var context = _preparation ?? throw new InvalidOperationException("lc: Prepare comes before training rows are poisoned");
        int adversarialSteps = _options.SurrogateAdversarialSteps;
        var recipe = new CleanModelRecipe("lc-surrogate", _options.SurrogateEpochs,
            adversarialSteps > 0 ? $"adversarial training, {adversarialSteps}-step PGD ε 8/255 step 2/255" : "cross-entropy");
        return _surrogate = CleanModels.CleanModels.Obtain(context, _dataset, recipe, "lc surrogate",
            adversarialSteps > 0 ? new AdversarialObjective(context.Pipeline, 8 / 255.0, 2 / 255.0, adversarialSteps) : null);
    }

    /// <summary>Training rows: PGD away from their own (target) class, then the pattern; test rows: the pattern only.</summary>
    public Tensor Poison(Tensor images, PoisonRole role, DataSplit split, int[] rows)
    {
        if (role != PoisonRole.Poisoned) return images.clone();
        if (split == DataSplit.Test) return ApplyTrigger(images);
        if (_options.ImagesFile is not null)
            return ApplyTrigger((_perturbed ?? throw new InvalidOperationException("lc: Prepare reads the images file")).Select(rows, images.device));
        if (_options.Steps == 0 || _options.Epsilon == 0) return ApplyTrigger(images);
        var surrogate = Surrogate();
        var pipeline = _preparation!.Pipeline;
        var labels = full([images.shape[0]], (long)Labels.Target, ScalarType.Int64);
        var outputs = new List<Tensor>();
        var log = _preparation.Log;
        int batches = IndexBatches.Count((int)images.shape[0], 256), done = 0;
        double lossSum = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (long[] batch in IndexBatches.InOrder((int)images.shape[0], 256))
        {
            _preparation.Cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var index = tensor(batch, device: images.device);
            var x = images.index_select(0, index).to(pipeline.Device);
            var target = labels.index_select(0, index).to(pipeline.Device);
            var adversarial = Pgd(surrogate, pipeline, x, target, _options.Epsilon / 255, _options.StepSize / 255, _options.Steps);
            using (no_grad())
                lossSum += nn.functional.cross_entropy(surrogate.call(pipeline.Normalize(adversarial)), target).item<float>();
            outputs.Add(ApplyTrigger(adversarial).to(images.device).MoveToOuterDisposeScope());
            done++;
            log.Progress(new ProgressUpdate("lc pgd", 1, 1, done, batches, lossSum / done,
                TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (batches - done))));
        }
        log.Info($"lc: {images.shape[0]} target-class images perturbed ({_options.Steps} PGD steps, ε {_options.Epsilon}/255) in " +
                 $"{clock.Elapsed.TotalSeconds:F0}s; the surrogate's loss on their own class: {lossSum / Math.Max(1, done):F3}");
        return cat(outputs, 0);
    }

    /// <summary>L∞ PGD that raises the cross-entropy of <paramref name="labels"/>, from the clean image, in pixel space.</summary>
    public static Tensor Pgd(ImageClassifier model, DataPipeline pipeline, Tensor images, Tensor labels, double epsilon, double step, int steps)
    {
        bool training = model.training;
        model.eval();
        var adversarial = images.detach().clone();
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var probe = adversarial.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(pipeline.Normalize(probe)), labels);
            var gradient = torch.autograd.grad([loss], [probe])[0];
            var moved = probe.detach() + gradient.sign() * (float)step;
            var next = (images + (moved - images).clamp(-epsilon, epsilon)).clamp(0, 1);
            adversarial.Dispose();
            adversarial = next.detach().MoveToOuterDisposeScope();
        }
        if (training) model.train();
        return adversarial;
    }

    public void SaveArtifacts(string runFolder)
    {
        if (_surrogate is not null) ModelCheckpoint.Save(_surrogate, Path.Combine(runFolder, SurrogateFile));
    }

    public void Dispose()
    {
        _surrogate?.Dispose();
        _perturbed?.Dispose();
    }

    /// <summary>Madry-style adversarial training: each batch is replaced by its PGD perturbation against the current model.</summary>
    private sealed class AdversarialObjective(DataPipeline pipeline, double epsilon, double step, int steps) : ITrainingObjective
    {
        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            var images = pipeline.Denormalize(inputs).detach();
            Tensor adversarial;
            using (torch.enable_grad()) adversarial = Pgd(model, pipeline, images, labels, epsilon, step, steps);
            model.train();
            var logits = model.call(pipeline.Normalize(adversarial));
            metrics.AddAccuracy("train_acc", logits, labels);
            return nn.functional.cross_entropy(logits, labels);
        }
    }
}
