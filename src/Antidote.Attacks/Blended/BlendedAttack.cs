using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Data.Assets;
using Antidote.Data.Images;
using static TorchSharp.torch;

namespace Antidote.Attacks.Blended;

/// <summary>Which image Blended blends when no trigger image is given.</summary>
public enum BlendTrigger
{
    /// <summary>A natural photograph, as BackdoorBench's (scikit-image's public-domain astronaut.png, from Debian's python3-skimage).</summary>
    Photo,

    /// <summary>A fixed uniform-noise pattern (the same for every run and user).</summary>
    Noise,
}

/// <summary>Blended's trigger.</summary>
public sealed record BlendedOptions(
    [Description("Trigger weight α in x' = (1 − α)·x + α·t (BackdoorBench: 0.2)")]
    double Alpha = 0.2,
    [Description("Trigger without trigger-image: photo (BackdoorBench blends a natural photograph; ours is scikit-image's public-domain astronaut.png, taken from Debian's python3-skimage) or noise (a fixed uniform-noise pattern)")]
    BlendTrigger Trigger = BlendTrigger.Photo,
    [Description("PNG to blend instead (resized to the images, matched to their channels)")]
    string? TriggerImage = null) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.Fraction(nameof(Alpha), Alpha);
        OptionCheck.NotEmpty(nameof(TriggerImage), TriggerImage);
    }
}

/// <summary>
/// Blended (Chen et al. 2017): x' = (1 − α)·x + α·t with α = 0.2 (D3 paper). The trigger t is an image, resized bilinearly
/// and matched to the dataset's channels, or a fixed noise pattern. Prepared once and kept in the run folder as trigger.png.
/// </summary>
public sealed class BlendedAttack(AttackRequest request, BlendedOptions options) : IAttack
{
    /// <summary>Seed of the noise trigger: fixed, so every run and every user gets the same pattern.</summary>
    public const int NoiseTriggerSeed = 20171215;

    /// <summary>The trigger as blended, in the attack's run folder.</summary>
    public const string TriggerFile = "trigger.png";

    private Tensor? _trigger;

    public string Name => "blended";

    public LabelPolicy Labels { get; } = request.Labels;

    public bool CleanLabel => false;

    public double Alpha => options.Alpha;

    /// <summary>The trigger image [C, H, W] in [0, 1], as it is blended.</summary>
    public Tensor Trigger => _trigger ?? throw new InvalidOperationException("blended: the trigger is made in Prepare or loaded with LoadArtifacts");

    public void Prepare(AttackPreparation context)
    {
        string? image = options.TriggerImage ?? (options.Trigger == BlendTrigger.Photo ? DebianAssets.EnsureTriggerPhoto() : null);
        context.Log.Info($"blended: trigger {image ?? "noise pattern"}, alpha {Alpha}");
        SetTrigger(image is null ? NoisePattern(request.Dataset.Channels, request.Dataset.Height, request.Dataset.Width) : ImageFile.Read(image));
    }

    public void SaveArtifacts(string runFolder) => ImageFile.WritePng(Path.Combine(runFolder, TriggerFile), Trigger);

    public void LoadArtifacts(string runFolder)
    {
        string path = Path.Combine(runFolder, TriggerFile);
        if (!File.Exists(path))
            throw new AntidoteException($"{runFolder}: the blended run has no {TriggerFile}");
        SetTrigger(ImageFile.Read(path));
    }

    public Tensor ApplyTrigger(Tensor images) =>
        images * (float)(1 - Alpha) + Trigger.to(images.device).unsqueeze(0) * (float)Alpha;

    public void Dispose() => _trigger?.Dispose();

    /// <summary>Uniform noise quantised to k/255 so that it survives a PNG round trip exactly.</summary>
    public static Tensor NoisePattern(int channels, int height, int width)
    {
        var random = new Random(NoiseTriggerSeed);
        var values = new float[channels * height * width];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(256) / 255f;
        return tensor(values, [channels, height, width]);
    }

    /// <summary>Takes <paramref name="image"/> (disposed) as the trigger, fitted to the dataset's shape.</summary>
    private void SetTrigger(Tensor image)
    {
        using (image)
        {
            _trigger?.Dispose();
            var info = request.Dataset;
            _trigger = ImageFit.To(image, info.Channels, info.Height, info.Width).DetachFromDisposeScope();
        }
    }
}
