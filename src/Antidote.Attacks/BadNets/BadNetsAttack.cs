using System.ComponentModel;
using Antidote.Core.Options;
using static TorchSharp.torch;

namespace Antidote.Attacks.BadNets;

/// <summary>BadNets' trigger.</summary>
public sealed record BadNetsOptions(
    [Description("Side of the white square in pixels (default: BackdoorBench's 3 of 32 px, scaled to the image size)")]
    int? PatchSize = null) : IAttackOptions
{
    public void Validate()
    {
        if (PatchSize is int side) OptionCheck.Positive(nameof(PatchSize), side);
    }
}

/// <summary>
/// BadNets (Gu et al. 2017): a white square stamped in the bottom-right corner. BackdoorBench's CIFAR trigger
/// is 3×3 at rows/columns 29–31 of 32; other sizes scale the side (28 px → 3, 64 px → 6).
/// </summary>
public sealed class BadNetsAttack : IAttack
{
    public BadNetsAttack(AttackRequest request, BadNetsOptions options)
    {
        Labels = request.Labels;
        PatchHeight = Math.Min(options.PatchSize ?? ScaledSide(request.Dataset.Height), request.Dataset.Height);
        PatchWidth = Math.Min(options.PatchSize ?? ScaledSide(request.Dataset.Width), request.Dataset.Width);
    }

    public string Name => "badnets";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => false;

    public int PatchHeight { get; }

    public int PatchWidth { get; }

    public Tensor ApplyTrigger(Tensor images)
    {
        long h = images.shape[2], w = images.shape[3];
        var triggered = images.clone();
        triggered[TensorIndex.Ellipsis, TensorIndex.Slice(h - PatchHeight, h), TensorIndex.Slice(w - PatchWidth, w)] = 1.0f;
        return triggered;
    }

    private static int ScaledSide(int side) => Math.Max(1, (int)Math.Round(3.0 * side / 32.0));
}
