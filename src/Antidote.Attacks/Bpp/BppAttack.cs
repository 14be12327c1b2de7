using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Data;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Attacks.Bpp;

/// <summary>BPP's colour squeezing (BackdoorBench config/attack/bpp/default.yaml).</summary>
public sealed record BppOptions(
    [Description("Levels per channel after squeezing the colour depth (BackdoorBench default.yaml L15: 8)")]
    int SqueezeNum = 8,
    [Description("Floyd-Steinberg dithering while squeezing (L17: false)")]
    bool Dithering = false,
    [Description("Negative rows per batch, as a fraction of the batch: another training image's squeezing residual added, label kept (L5: 0.1; 0 = none)")]
    double NegativeRatio = 0.1) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.InRange(nameof(SqueezeNum), SqueezeNum, 2, 255);
        OptionCheck.Fraction(nameof(NegativeRatio), NegativeRatio, allowZero: true, allowOne: false);
    }
}

/// <summary>
/// BppAttack (Wang, Zhai &amp; Ma, CVPR 2022), as BackdoorBench runs it (bpp.py): the trigger is image quantisation, each
/// channel of x·255 squeezed to <c>SqueezeNum</c> levels, round(x·(q − 1)) / (q − 1), optionally with Floyd-Steinberg error
/// diffusion. Poisoning happens per batch while the model trains (<see cref="PerBatchPoisoning"/>): 10% of each batch
/// squeezed and relabelled, and 10% "negative" rows that get the squeezing residual of a random other training image and keep
/// their label. BackdoorBench's BPP has no contrastive adversarial training; neither has this one. The trigger is a fixed
/// function: nothing is saved, and a defender who suspects BPP can make it.
/// </summary>
public sealed class BppAttack(AttackRequest request, BppOptions options) : IAttack
{
    public string Name => "bpp";

    public LabelPolicy Labels { get; } = request.Labels;

    public bool CleanLabel => false;

    public PoisonPlan Plan(int[] labels, AttackSettings settings, long seed) => PoisonPlan.ForBatches(this, settings, seed);

    public ITrainingObjective TrainingObjective(ImageDataset train) =>
        new PerBatchPoisoning(Labels, request.Settings.PoisonRatio, ApplyTrigger,
            options.NegativeRatio > 0 ? new KeptLabelRows((_, batch) => (int)(batch * options.NegativeRatio), images => Negative(images, train)) : null,
            PostTensorAugmentation.For(request.Dataset));

    public Tensor ApplyTrigger(Tensor images) =>
        options.Dithering ? Dither(images, options.SqueezeNum) : Squeeze(images, options.SqueezeNum);

    /// <summary>Each image plus the squeezing residual of a training image drawn at random (libtorch's seeded generator),
    /// clipped to [0, 1].</summary>
    public Tensor Negative(Tensor images, ImageDataset train)
    {
        using var scope = NewDisposeScope();
        var rows = randint(0, train.Count, [images.shape[0]], dtype: ScalarType.Int64).data<long>().ToArray();
        var (others, _) = train.Batch(rows, images.device);
        return (images + ApplyTrigger(others) - others).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>round(x·255 / 255·(q − 1)) / (q − 1): q evenly spaced levels per channel.</summary>
    public static Tensor Squeeze(Tensor images, int levels) =>
        (images * 255).round().div(255).mul(levels - 1).round().div(levels - 1);

    /// <summary>Floyd-Steinberg: pixels in raster order are squeezed and their error (all channels at once) is pushed to the
    /// unvisited neighbours (7/16 right, 3/16 below left, 5/16 below, 1/16 below right); the result is rounded to whole
    /// units of 1/255 as BackdoorBench rounds it.</summary>
    public static Tensor Dither(Tensor images, int levels)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var pixels = (images.cpu().to_type(ScalarType.Float64) * 255).round().data<double>().ToArray();
        long plane = h * w, size = c * plane;
        for (long image = 0; image < n; image++)
        for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++)
        for (long channel = 0; channel < c; channel++)
        {
            long at = image * size + channel * plane + y * w + x;
            double old = pixels[at];
            double squeezed = Math.Round(old / 255 * (levels - 1), MidpointRounding.ToEven) / (levels - 1) * 255;
            double error = old - squeezed;
            pixels[at] = squeezed;
            if (x + 1 < w) pixels[at + 1] += error * 7 / 16;
            if (y + 1 < h && x + 1 < w) pixels[at + w + 1] += error * 1 / 16;
            if (y + 1 < h) pixels[at + w] += error * 5 / 16;
            if (y + 1 < h && x > 0) pixels[at + w - 1] += error * 3 / 16;
        }
        return (tensor(pixels, [n, c, h, w]).round().clamp(0, 255) / 255).to_type(ScalarType.Float32).to(images.device);
    }
}
