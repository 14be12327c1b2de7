using static TorchSharp.torch;

namespace Antidote.Attacks.Blended;

/// <summary>
/// Blended (Chen et al. 2017): x' = (1 − α)·x + α·t with α = 0.2 (D3 paper). The trigger t is the user's image,
/// resized bilinearly and matched to the dataset's channels, or a fixed noise pattern.
/// </summary>
public sealed class BlendedAttack : IAttack
{
    /// <summary>Seed of the default noise trigger: fixed, so every run and every user gets the same pattern.</summary>
    public const int NoiseTriggerSeed = 20171215;

    private readonly Tensor _trigger;

    public BlendedAttack(AttackRequest request)
    {
        Labels = request.Labels;
        Alpha = request.Settings.TriggerOrDefault.BlendAlpha;
        var info = request.Dataset;
        _trigger = (request.TriggerImage is null
            ? NoisePattern(info.Channels, info.Height, info.Width)
            : Fit(request.TriggerImage, info.Channels, info.Height, info.Width)).DetachFromDisposeScope();
    }

    public string Name => "blended";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => false;

    public double Alpha { get; }

    /// <summary>The trigger image [C, H, W] in [0, 1], as it is blended (saved with the run).</summary>
    public Tensor Trigger => _trigger;

    public Tensor ApplyTrigger(Tensor images) =>
        images * (float)(1 - Alpha) + _trigger.to(images.device).unsqueeze(0) * (float)Alpha;

    /// <summary>Uniform noise quantised to k/255 so that it survives a PNG round trip exactly.</summary>
    public static Tensor NoisePattern(int channels, int height, int width)
    {
        var random = new Random(NoiseTriggerSeed);
        var values = new float[channels * height * width];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(256) / 255f;
        return tensor(values, [channels, height, width]);
    }

    private static Tensor Fit(Tensor image, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Float32).unsqueeze(0);
        if (x.shape[2] != height || x.shape[3] != width)
            x = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        if (x.shape[1] == 3 && channels == 1)
            x = (x[TensorIndex.Colon, 0] * 0.299f + x[TensorIndex.Colon, 1] * 0.587f + x[TensorIndex.Colon, 2] * 0.114f).unsqueeze(1);
        else if (x.shape[1] == 1 && channels == 3)
            x = x.expand(-1, 3, -1, -1);
        return x.squeeze(0).clamp(0, 1).contiguous().MoveToOuterDisposeScope();
    }
}
