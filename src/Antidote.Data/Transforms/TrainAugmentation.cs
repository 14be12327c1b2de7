using static TorchSharp.torch;

namespace Antidote.Data.Transforms;

/// <summary>
/// The training augmentation of BackdoorBench (random crop with zero padding, horizontal flip where the
/// dataset allows it), applied to a whole batch at once with per-sample offsets drawn from libtorch's
/// seeded generator.
/// </summary>
public sealed class TrainAugmentation(int cropPadding, bool horizontalFlip)
{
    public static TrainAugmentation For(DatasetInfo info) => new(info.CropPadding, info.HorizontalFlip);

    public static TrainAugmentation None { get; } = new(0, false);

    public int CropPadding { get; } = cropPadding;

    public bool HorizontalFlip { get; } = horizontalFlip;

    /// <summary>Augments a batch [N, C, H, W]; the result belongs to the caller's dispose scope.</summary>
    public Tensor Apply(Tensor batch)
    {
        var x = batch;
        if (CropPadding > 0)
            x = RandomCrop(x, CropPadding);
        if (HorizontalFlip)
        {
            var flip = rand(x.shape[0], device: x.device).lt(0.5).view(-1, 1, 1, 1);
            x = where(flip, x.flip(3), x);
        }
        return x;
    }

    private static Tensor RandomCrop(Tensor x, int padding)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        var dy = randint(0, 2 * padding + 1, [n], dtype: ScalarType.Int64, device: x.device);
        var dx = randint(0, 2 * padding + 1, [n], dtype: ScalarType.Int64, device: x.device);
        // Gather rows then columns: index[n, c, i, j] = offset[n] + i (resp. + j).
        var rows = (dy.view(n, 1, 1, 1) + arange(h, device: x.device).view(1, 1, h, 1)).expand(n, c, h, w + 2 * padding);
        var cropped = padded.gather(2, rows);
        var cols = (dx.view(n, 1, 1, 1) + arange(w, device: x.device).view(1, 1, 1, w)).expand(n, c, h, w);
        return cropped.gather(3, cols);
    }
}
