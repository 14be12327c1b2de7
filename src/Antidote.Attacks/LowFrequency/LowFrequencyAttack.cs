using System.ComponentModel;
using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Data.Images;
using Antidote.Data.Npy;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.LowFrequency;

/// <summary>LF's universal perturbation: its search, its low-pass filter and its bound.</summary>
public sealed record LowFrequencyOptions(
    [Description("Largest pattern value, in [0, 1] pixel units: each update is rescaled to [0, bound] (BackdoorBench gauss_smooth.py normalization: 0.2)")]
    double Bound = 0.2,
    [Description("Standard deviation of the Gaussian low-pass filter, in pixels (gauss_smooth sig: 6; its kernel spans 5σ taps)")]
    double Sigma = 6,
    [Description("Training images the perturbation is searched on (generate_pattern.py: 100)")]
    int Images = 100,
    [Description("Most passes over those images (max_iter_uni: 50)")]
    int Passes = 50,
    [Description("Most targeted DeepFool steps per image (max_iter_df: 200)")]
    int DeepFoolSteps = 200,
    [Description("DeepFool overshoot (overshoot: 0.02)")]
    double Overshoot = 0.02,
    [Description("Stop once this fraction of the held images change prediction (universal_pert.py: 1 − delta, delta 0.8)")]
    double FoolingRate = 0.2,
    [Description("Other training images the fooling rate is measured on (BackdoorBench measures it on the test set, which an attack run does not touch)")]
    int HeldImages = 1000,
    [Description("Epochs of the clean model the perturbation is computed against (BackdoorBench reads one trained elsewhere)")]
    int CleanModelEpochs = 10,
    [Description("A clean model of the victim's architecture to use instead of training one (BackdoorBench's --clean_model_path; .pth, safetensors or Antidote weights)")]
    string? CleanModelFile = null,
    [Description("A precomputed pattern to add instead, as BackdoorBench's resource/lowFrequency/*.npy: (H, W, C) uint8 0..255 or float in [0, 1]")]
    string? PatternFile = null) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.Fraction(nameof(Bound), Bound);
        OptionCheck.Positive(nameof(Sigma), Sigma);
        if (Sigma > 100) OptionCheck.Fail(nameof(Sigma), "must be at most 100 pixels");
        OptionCheck.Positive(nameof(Images), Images);
        OptionCheck.Positive(nameof(Passes), Passes);
        OptionCheck.Positive(nameof(DeepFoolSteps), DeepFoolSteps);
        OptionCheck.NotNegative(nameof(Overshoot), Overshoot);
        OptionCheck.Fraction(nameof(FoolingRate), FoolingRate);
        OptionCheck.Positive(nameof(HeldImages), HeldImages);
        OptionCheck.NotNegative(nameof(CleanModelEpochs), CleanModelEpochs);
        OptionCheck.NotEmpty(nameof(CleanModelFile), CleanModelFile);
        OptionCheck.NotEmpty(nameof(PatternFile), PatternFile);
    }
}

/// <summary>
/// Low Frequency (Zeng et al. 2021, "Rethinking the backdoor attacks' triggers: a frequency perspective"; BackdoorBench lf):
/// a targeted universal adversarial perturbation against a clean model, kept smooth. Over passes on a few training images,
/// every image the current pattern v does not yet move gets a targeted DeepFool step towards the target class; v grows by
/// that step low-pass filtered, is filtered again and rescaled to [0, bound] (BackdoorBench resource/lowFrequency:
/// universal_pert.py, deepfool.py, gauss_smooth.py). The search stops when the pattern changes the prediction of a share of
/// held images, when that share stops moving (five passes within 0.01), or after the last pass. The pattern is added to the
/// image and clipped; poisoned training images are relabelled (all-to-one). Held images are training rows here: BackdoorBench
/// measures the fooling rate on the test set.
/// </summary>
public sealed class LowFrequencyAttack : IAttack
{
    /// <summary>The pattern [C, H, W], exact.</summary>
    public const string PatternFile = "lf-pattern.safetensors";

    /// <summary>The pattern stretched to [0, 1], to look at.</summary>
    public const string PatternImageFile = "lf-pattern.png";

    /// <summary>The clean model's weights, kept in the run folder to audit the pattern.</summary>
    public const string CleanModelArtifact = "lf-clean-model.weights";

    private readonly LowFrequencyOptions _options;
    private readonly DatasetInfo _dataset;
    private Tensor? _pattern;
    private ImageClassifier? _cleanModel;

    public LowFrequencyAttack(AttackRequest request, LowFrequencyOptions options)
    {
        if (request.Settings.LabelMode != LabelMode.AllToOne)
            throw new AntidoteException("lf: its perturbation is targeted at one class; all-to-one only");
        Labels = request.Labels;
        _options = options;
        _dataset = request.Dataset;
    }

    public string Name => "lf";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => false;

    /// <summary>The pattern as it is added, [C, H, W] in [0, bound].</summary>
    public Tensor Pattern => _pattern ?? throw new InvalidOperationException("lf: the pattern is made in Prepare or loaded with LoadArtifacts");

    public Tensor ApplyTrigger(Tensor images) => (images + Pattern.to(images.device).unsqueeze(0)).clamp(0, 1);

    public void Prepare(AttackPreparation context)
    {
        _pattern?.Dispose();
        if (_options.PatternFile is not null)
        {
            _pattern = ReadPatternFile(_options.PatternFile, _dataset).DetachFromDisposeScope();
            context.Log.Info($"lf: pattern read from {_options.PatternFile} (values {_pattern.min().item<float>() * 255:F0}..{_pattern.max().item<float>() * 255:F0}/255)");
            return;
        }
        _cleanModel?.Dispose();
        _cleanModel = CleanModels.CleanModels.Standard(context, _dataset, _options.CleanModelEpochs, _options.CleanModelFile, "lf");
        _pattern = Search(_cleanModel, context).DetachFromDisposeScope();
    }

    /// <summary>The universal perturbation search against <paramref name="model"/> on the preparation's clean training images.</summary>
    public Tensor Search(ImageClassifier model, AttackPreparation context)
    {
        var pipeline = context.Pipeline;
        var device = pipeline.Device;
        var data = context.CleanTrain;
        long[] order = Seeds.ShuffledRows(data.Count, context.Seed, "lf-images");
        int searched = Math.Min(_options.Images, data.Count);
        long[] heldRows = order.Skip(searched).Take(_options.HeldImages).ToArray();
        if (heldRows.Length == 0) heldRows = order[..searched];
        using var images = data.Images.index_select(0, tensor(order[..searched], device: data.Images.device)).to(device);
        using var held = data.Images.index_select(0, tensor(heldRows, device: data.Images.device)).to(device);
        using var heldPredictions = Predict(model, pipeline, held);
        var random = Seeds.Stream(context.Seed, "lf-passes");
        var pattern = zeros([1, _dataset.Channels, _dataset.Height, _dataset.Width], device: device);
        var rates = new List<double>();
        var clock = Stopwatch.StartNew();
        bool training = model.training;
        model.eval();
        for (int pass = 0; pass < _options.Passes; pass++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            int updates = 0;
            foreach (int i in Enumerable.Range(0, searched).OrderBy(_ => random.Next()).ToArray())
            {
                using var scope = NewDisposeScope();
                var image = images[i].unsqueeze(0);
                var perturbed = image + pattern;
                long clean = Predict(model, pipeline, image).item<long>(), moved = Predict(model, pipeline, perturbed).item<long>();
                if (clean != moved) continue;
                var (step, converged) = TargetedDeepFool(model, pipeline, perturbed, Labels.Target, _options.Overshoot, _options.DeepFoolSteps);
                if (!converged) continue;
                var next = Rescale(Smooth(pattern + Smooth(step, _options.Sigma), _options.Sigma), _options.Bound);
                pattern.Dispose();
                pattern = next.MoveToOuterDisposeScope();
                updates++;
            }
            double rate;
            using (var scope = NewDisposeScope())
                rate = Predict(model, pipeline, (held + pattern).clamp(0, 1)).ne(heldPredictions).to_type(ScalarType.Float32).mean().item<float>();
            rates.Add(rate);
            context.Log.Progress(new ProgressUpdate("lf pattern", pass + 1, _options.Passes, 1, 1, rate,
                TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (pass + 1) * (_options.Passes - pass - 1))));
            context.Log.Info($"lf pass {pass + 1}: {updates} DeepFool updates, fooling rate {rate:P1} on {heldRows.Length} held images");
            if (rate >= _options.FoolingRate) break;
            if (rates.Count >= 5 && rates[^5..].Max() - rates[^5..].Min() < 0.01) break;
        }
        if (training) model.train();
        context.Log.Info($"lf: pattern found in {rates.Count} passes, {clock.Elapsed.TotalSeconds:F0}s; fooling rate {rates[^1]:P1}");
        return pattern.squeeze(0).to(CPU);
    }

    /// <summary>Targeted DeepFool (BackdoorBench deepfool.py, tar_deepfool): linearise f_target − f_label at the current point and
    /// step onto its zero, until the target class wins; returns the total step times (1 + overshoot) and whether it got there
    /// within <paramref name="maxSteps"/> − 1 steps (BackdoorBench keeps only those).</summary>
    public static (Tensor Step, bool Converged) TargetedDeepFool(ImageClassifier model, DataPipeline pipeline, Tensor image, int target,
        double overshoot, int maxSteps)
    {
        long label;
        using (no_grad()) label = model.call(pipeline.Normalize(image)).argmax(1).item<long>();
        var total = zeros_like(image);
        int steps = 0;
        var current = image;
        for (; steps < maxSteps; steps++)
        {
            using var scope = NewDisposeScope();
            var probe = current.detach().requires_grad_(true);
            var logits = model.call(pipeline.Normalize(probe))[0];
            if (logits.argmax().item<long>() == target) break;
            var gap = logits[target] - logits[label];
            var w = torch.autograd.grad([gap], [probe])[0];
            double norm = w.norm().item<float>();
            // A flat gap (norm 0) or a non-finite one gives no direction: BackdoorBench zeroes such a step.
            var r = norm > 0 && double.IsFinite(norm) ? w * (float)(Math.Abs(gap.item<float>()) / (norm * norm)) : zeros_like(w);
            total.add_(r);
            if (!ReferenceEquals(current, image)) current.Dispose();
            current = (image + total * (float)(1 + overshoot)).MoveToOuterDisposeScope();
        }
        if (!ReferenceEquals(current, image)) current.Dispose();
        return (total * (float)(1 + overshoot), steps < maxSteps - 1);
    }

    /// <summary>BackdoorBench's pre-set low-pass filter: a separable Gaussian of standard deviation <paramref name="sigma"/>
    /// pixels over 5σ taps, each channel on its own, zero-padded so the size is kept.</summary>
    public static Tensor Smooth(Tensor x, double sigma)
    {
        using var scope = NewDisposeScope();
        int taps = Math.Max(1, (int)(5 * sigma));
        var offsets = arange(taps, dtype: ScalarType.Float32, device: x.device) - (taps - 1) / 2f;
        var kernel = (offsets / (float)sigma).square().mul(-0.5f).exp();
        kernel = kernel / kernel.sum();
        long channels = x.shape[1];
        int after = taps / 2, before = after - (1 - taps % 2);
        var padded = nn.functional.pad(x, [before, after, before, after]);
        var rows = nn.functional.conv2d(padded, kernel.view(1, 1, taps, 1).expand(channels, 1, taps, 1).contiguous(), groups: channels);
        var both = nn.functional.conv2d(rows, kernel.view(1, 1, 1, taps).expand(channels, 1, 1, taps).contiguous(), groups: channels);
        return both.MoveToOuterDisposeScope();
    }

    /// <summary>Min-max rescaling to [0, <paramref name="bound"/>] over the whole pattern (BackdoorBench's <c>normalization</c>);
    /// a constant pattern (no range) becomes zeros instead of NaN.</summary>
    public static Tensor Rescale(Tensor x, double bound)
    {
        double min = x.min().item<float>(), range = x.max().item<float>() - min;
        return range > 0 ? (x - (float)min) * (float)(bound / range) : zeros_like(x);
    }

    /// <summary>A BackdoorBench pattern file as a [C, H, W] tensor in [0, 1]: (H, W, C), (1, H, W, C) or (H, W); uint8 is divided by 255.</summary>
    public static Tensor ReadPatternFile(string path, DatasetInfo dataset)
    {
        var array = NpyFile.Read(path);
        long[] shape = array.Shape.Length == 4 && array.Shape[0] == 1 ? array.Shape[1..] : array.Shape.Length == 2 ? [.. array.Shape, 1] : array.Shape;
        if (shape.Length != 3 || shape[0] != dataset.Height || shape[1] != dataset.Width || shape[2] != dataset.Channels)
            throw new AntidoteException($"{path}: an LF pattern of shape ({string.Join(", ", array.Shape)}) does not fit {dataset.Name}'s " +
                                        $"{dataset.Height}x{dataset.Width}x{dataset.Channels} images (expected (H, W, C))");
        double scale = array.Dtype.EndsWith("u1") ? 1 / 255.0 : 1;
        var values = array.Values.Select(v => (float)(v * scale)).ToArray();
        if (values.Any(v => !float.IsFinite(v) || v < -1 || v > 1))
            throw new AntidoteException($"{path}: LF pattern values must be finite and within [-1, 1] of the [0, 1] pixel range (uint8: 0..255)");
        using var hwc = tensor(values, shape);
        return hwc.permute(2, 0, 1).contiguous();
    }

    private static Tensor Predict(ImageClassifier model, DataPipeline pipeline, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var predictions = new List<Tensor>();
        foreach (long[] batch in IndexBatches.InOrder((int)images.shape[0], 512))
            predictions.Add(model.call(pipeline.Normalize(images.index_select(0, tensor(batch, device: images.device)))).argmax(1));
        return cat(predictions, 0).MoveToOuterDisposeScope();
    }

    public void SaveArtifacts(string runFolder)
    {
        TriggerTensorFile.Write(Path.Combine(runFolder, PatternFile), Pattern);
        using (var scope = NewDisposeScope())
        {
            var stretched = Rescale(Pattern, 1);
            ImageFile.WritePng(Path.Combine(runFolder, PatternImageFile), stretched);
        }
        if (_cleanModel is not null) ModelCheckpoint.Save(_cleanModel, Path.Combine(runFolder, CleanModelArtifact));
    }

    public void LoadArtifacts(string runFolder)
    {
        var pattern = TriggerTensorFile.Read(Path.Combine(runFolder, PatternFile), [_dataset.Channels, _dataset.Height, _dataset.Width], Name);
        _pattern?.Dispose();
        _pattern = pattern.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _pattern?.Dispose();
        _cleanModel?.Dispose();
    }
}
