using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.TrojanNN;

/// <summary>What the square mask's pixels start from before the optimisation.</summary>
public enum TrojanNNStart
{
    /// <summary>Mid-grey (0.5) everywhere in the mask.</summary>
    Grey,

    /// <summary>Uniform noise in [0.25, 0.75], drawn from the attack's seed.</summary>
    Noise,
}

/// <summary>TrojanNN's mask, neurons and trigger optimisation.</summary>
public sealed record TrojanNNOptions(
    [Description("Side of the square mask in the bottom-right corner, as a fraction of the image's shorter side (BackdoorBench masks with its apple4.png, which Antidote cannot ship)")]
    double MaskSide = 0.25,
    [Description("What the square mask starts from: noise (uniform in [0.25, 0.75], seeded) or grey (0.5); BackdoorBench starts from its mask image")]
    TrojanNNStart Start = TrojanNNStart.Noise,
    [Description("PNG whose non-black pixels are the mask and the optimisation's start, as BackdoorBench's --mask_path (resized to the images)")]
    string? MaskFile = null,
    [Description("Neurons driven: the classifier inputs with the largest summed |weight| to the classes (BackdoorBench trojannn yaml num_neuron: 2)")]
    int Neurons = 2,
    [Description("Value the selected neurons are driven to (neuron_target_values: 100)")]
    double NeuronTarget = 100,
    [Description("Trigger optimisation steps (mask_update_iters: 1000)")]
    int Steps = 1000,
    [Description("L∞ bound of the optimisation around the mask's start, in [0, 1] pixel units (trojannn.py function default 0.3)")]
    double Epsilon = 0.3,
    [Description("Signed-gradient step, in [0, 1] pixel units (trojannn.py function default 0.1)")]
    double StepSize = 0.1,
    [Description("Epochs of the clean model the neurons are chosen in and the trigger is optimised against (BackdoorBench reads one trained elsewhere)")]
    int CleanModelEpochs = 10,
    [Description("A clean model of the victim's architecture to use instead of training one (BackdoorBench's clean_model.pth; .pth, safetensors or Antidote weights)")]
    string? CleanModelFile = null) : IAttackOptions
{
    public void Validate()
    {
        if (MaskSide is <= 0 or > 1) OptionCheck.Fail(nameof(MaskSide), "must be in (0, 1]");
        OptionCheck.NotEmpty(nameof(MaskFile), MaskFile);
        OptionCheck.Positive(nameof(Neurons), Neurons);
        OptionCheck.NotNegative(nameof(Steps), Steps);
        OptionCheck.Fraction(nameof(Epsilon), Epsilon);
        OptionCheck.Positive(nameof(StepSize), StepSize);
        OptionCheck.NotNegative(nameof(CleanModelEpochs), CleanModelEpochs);
        OptionCheck.NotEmpty(nameof(CleanModelFile), CleanModelFile);
        if (!double.IsFinite(NeuronTarget)) OptionCheck.Fail(nameof(NeuronTarget), "must be a finite number");
    }
}

/// <summary>
/// TrojanNN (Liu et al., NDSS 2018; BackdoorBench trojannn): in a clean model, pick the classifier inputs most connected to
/// the classes (largest Σ|W| over the classifier's rows), then optimise the pixels inside a mask by signed-gradient steps
/// (L∞ ε around the mask's start, clipped to [0, 1]) until those neurons reach a target value; the result is the trigger,
/// added to an image and clipped. A fresh victim is then trained on the stamped data (all-to-one by default, as BackdoorBench).
/// Differences from BackdoorBench, each deliberate: the clean model is trained here (BackdoorBench loads one from a file);
/// its classifier is the trained one (BackdoorBench builds a 1000-class head that its partial load skips, so it ranks
/// neurons on random weights); the trigger is fed through the data's normalisation as every image is; and it is added in
/// floating point (BackdoorBench casts the sum to uint8 before clipping, which wraps bright pixels around).
/// </summary>
public sealed class TrojanNNAttack : IAttack
{
    /// <summary>The optimised trigger [C, H, W] (0 outside the mask), exact.</summary>
    public const string TriggerFile = "trojannn-trigger.safetensors";

    /// <summary>The same trigger as an image, to look at (BackdoorBench's trojannn_trigger.png).</summary>
    public const string TriggerImageFile = "trojannn-trigger.png";

    /// <summary>The clean model's weights, kept in the run folder to audit the trigger.</summary>
    public const string CleanModelArtifact = "trojannn-clean-model.weights";

    private readonly TrojanNNOptions _options;
    private readonly DatasetInfo _dataset;
    private Tensor? _trigger;
    private ImageClassifier? _cleanModel;

    public TrojanNNAttack(AttackRequest request, TrojanNNOptions options)
    {
        Labels = request.Labels;
        _options = options;
        _dataset = request.Dataset;
    }

    public string Name => "trojannn";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => false;

    /// <summary>The trigger as it is added, [C, H, W].</summary>
    public Tensor Trigger => _trigger ?? throw new InvalidOperationException("trojannn: the trigger is made in Prepare or loaded with LoadArtifacts");

    /// <summary>The classifier inputs chosen last by <see cref="Prepare"/>.</summary>
    public long[] SelectedNeurons { get; private set; } = [];

    /// <summary>The mask's start image [C, H, W]: the mask file's pixels, or a square in the bottom-right corner (seeded noise by
    /// default, else mid-grey); the mask is where it is above 0 (as BackdoorBench's <c>images &gt; 0</c>). Not white: from white
    /// every step that would brighten a pixel is clipped away. Noise by default: on Fashion-MNIST's small CNN both selected
    /// neurons were 0 on the grey square (no gradient, the trigger stayed grey); from noise one of them rose from 0.09 to 1.32.</summary>
    public Tensor MaskStart(long seed = 0)
    {
        int c = _dataset.Channels, h = _dataset.Height, w = _dataset.Width;
        if (_options.MaskFile is not null)
        {
            using var image = ImageFile.Read(_options.MaskFile);
            var fitted = ImageFit.To(image, c, h, w);
            if (!fitted.gt(0).any().item<bool>())
                throw new AntidoteException($"{_options.MaskFile}: the TrojanNN mask has no non-black pixel");
            return fitted;
        }
        int side = Math.Max(1, (int)Math.Round(_options.MaskSide * Math.Min(h, w)));
        var start = zeros([c, h, w]);
        var square = _options.Start == TrojanNNStart.Grey
            ? full([c, side, side], 0.5f)
            : rand([c, side, side], generator: new Generator().manual_seed(Seeds.Derive(seed, "trojannn-start"))) * 0.5f + 0.25f;
        start[TensorIndex.Colon, TensorIndex.Slice(h - side), TensorIndex.Slice(w - side)] = square;
        return start;
    }

    /// <summary>The <paramref name="count"/> classifier inputs with the largest Σ|W| over the classes, most connected first.</summary>
    public static long[] MostConnectedNeurons(ImageClassifier model, int count)
    {
        using var scope = NewDisposeScope();
        var connection = model.Classifier.weight!.detach().abs().sum(dim: 0);
        if (count > connection.shape[0])
            throw new AntidoteException($"trojannn: --trojannn-neurons {count} is more than the classifier's {connection.shape[0]} inputs");
        return connection.argsort(descending: true)[TensorIndex.Slice(0, count)].to(CPU).data<long>().ToArray();
    }

    public void Prepare(AttackPreparation context)
    {
        _cleanModel?.Dispose();
        _cleanModel = CleanModels.CleanModels.Standard(context, _dataset, _options.CleanModelEpochs, _options.CleanModelFile, "trojannn");
        SelectedNeurons = MostConnectedNeurons(_cleanModel, _options.Neurons);
        using var start = MaskStart(context.Seed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (trigger, before, after, steps) = Optimise(_cleanModel, context.Pipeline, start, SelectedNeurons, _options, context.Log, context.Cancel);
        _trigger?.Dispose();
        _trigger = trigger.DetachFromDisposeScope();
        context.Log.Info($"trojannn: neurons {string.Join(", ", SelectedNeurons)} of the classifier's inputs driven from " +
                         $"[{string.Join(", ", before.Select(v => v.ToString("F2")))}] to [{string.Join(", ", after.Select(v => v.ToString("F2")))}] " +
                         $"(target {_options.NeuronTarget}) in {steps} steps, {clock.Elapsed.TotalSeconds:F0}s");
    }

    /// <summary>Signed-gradient descent on Σ (feature[n] − target)² over the mask's pixels, within ε of the start and [0, 1].
    /// Returns the trigger and the selected neurons' values before and after.</summary>
    public static (Tensor Trigger, float[] Before, float[] After, int Steps) Optimise(ImageClassifier model, DataPipeline pipeline,
        Tensor start, long[] neurons, TrojanNNOptions options, IRunLog log, CancellationToken cancel = default)
    {
        bool training = model.training;
        model.eval();
        var device = pipeline.Device;
        var origin = start.unsqueeze(0).to(device);
        var keep = origin.gt(0).to_type(ScalarType.Float32);
        var selected = tensor(neurons, device: device);
        float[] Values(Tensor x)
        {
            using var _ = NewDisposeScope();
            using var __ = no_grad();
            return model.ForwardFeatures(pipeline.Normalize(x * keep)).index_select(1, selected)[0].to(CPU).data<float>().ToArray();
        }
        var before = Values(origin);
        var image = origin.clone();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int step = 0;
        for (; step < options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var probe = image.detach().requires_grad_(true);
            var features = model.ForwardFeatures(pipeline.Normalize(probe * keep)).index_select(1, selected);
            var cost = (features - (float)options.NeuronTarget).square().sum();
            float costValue = cost.item<float>();
            // BackdoorBench's tolerance: stop once the neurons sit on their target.
            if (costValue < 1e-3f) break;
            var gradient = torch.autograd.grad([cost], [probe])[0];
            var moved = probe.detach() - gradient.sign() * (float)options.StepSize;
            var next = (origin + (moved - origin).clamp(-options.Epsilon, options.Epsilon)).clamp(0, 1);
            image.Dispose();
            image = next.MoveToOuterDisposeScope();
            if ((step + 1) % 50 == 0 || step + 1 == options.Steps)
                log.Progress(new ProgressUpdate("trojannn trigger", 1, 1, step + 1, options.Steps, costValue,
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (step + 1) * (options.Steps - step - 1))));
        }
        var after = Values(image);
        if (before.All(v => v == 0) && after.All(v => v == 0))
            log.Info("trojannn: the selected neurons are inactive (0) on the mask image and give no gradient; the trigger stays at its " +
                     "start (try --trojannn-start noise, another mask, or more --trojannn-neurons)");
        if (training) model.train();
        var trigger = (image * keep)[0].to(CPU);
        return (trigger, before, after, step);
    }

    public Tensor ApplyTrigger(Tensor images) => (images + Trigger.to(images.device).unsqueeze(0)).clamp(0, 1);

    public void SaveArtifacts(string runFolder)
    {
        TriggerTensorFile.Write(Path.Combine(runFolder, TriggerFile), Trigger);
        ImageFile.WritePng(Path.Combine(runFolder, TriggerImageFile), Trigger);
        if (_cleanModel is not null) ModelCheckpoint.Save(_cleanModel, Path.Combine(runFolder, CleanModelArtifact));
    }

    public void LoadArtifacts(string runFolder)
    {
        var trigger = TriggerTensorFile.Read(Path.Combine(runFolder, TriggerFile), [_dataset.Channels, _dataset.Height, _dataset.Width], Name);
        _trigger?.Dispose();
        _trigger = trigger.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _trigger?.Dispose();
        _cleanModel?.Dispose();
    }
}
