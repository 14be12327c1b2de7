using Antidote.Data;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// The augmentation BackdoorBench's training-time attacks apply after poisoning a batch (PostTensorTransform in wanet.py,
/// inputaware.py and bpp.py): with probability 0.8 a random crop after zero padding of 5, with probability 0.5 a random
/// rotation within ±10° (nearest neighbour, zero fill), and a horizontal flip with probability 0.5 where the dataset allows
/// one. As torchvision applies them to a batch tensor, each draw is made once per batch and moves every image alike.
/// Random numbers come from libtorch's seeded generator.
/// </summary>
public sealed class PostTensorAugmentation(int cropPadding, double rotationDegrees, bool horizontalFlip)
{
    /// <summary>BackdoorBench's values (config/attack/wanet/default.yaml and bpp/default.yaml: random_crop 5, random_rotation 10).</summary>
    public static PostTensorAugmentation For(DatasetInfo info) => new(5, 10, info.HorizontalFlip);

    public const double CropProbability = 0.8;

    public const double RotationProbability = 0.5;

    /// <summary>Augments a batch [N, C, H, W] of images in [0, 1]; the result belongs to the caller's dispose scope.</summary>
    public Tensor Apply(Tensor batch)
    {
        var draws = rand(3, dtype: ScalarType.Float64).data<double>().ToArray();
        var x = batch;
        if (cropPadding > 0 && draws[0] < CropProbability)
            x = Crop(x, cropPadding);
        if (rotationDegrees > 0 && draws[1] < RotationProbability)
            x = Rotate(x, (rand(1, dtype: ScalarType.Float64).item<double>() * 2 - 1) * rotationDegrees);
        if (horizontalFlip && draws[2] < 0.5)
            x = x.flip(3);
        return x;
    }

    private static Tensor Crop(Tensor x, int padding)
    {
        var offsets = randint(0, 2 * padding + 1, [2], dtype: ScalarType.Int64).data<long>().ToArray();
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        return padded.narrow(2, offsets[0], x.shape[2]).narrow(3, offsets[1], x.shape[3]);
    }

    /// <summary>Rotates every image by <paramref name="degrees"/> about its centre, in pixel units (so that a non-square image
    /// is not sheared), sampling the nearest pixel and filling with zeros as torchvision's rotate does.</summary>
    public static Tensor Rotate(Tensor x, double degrees)
    {
        double a = degrees * Math.PI / 180, h = x.shape[2], w = x.shape[3];
        var theta = tensor(new float[] { (float)Math.Cos(a), (float)(-Math.Sin(a) * h / w), 0, (float)(Math.Sin(a) * w / h), (float)Math.Cos(a), 0 },
            [1, 2, 3], device: x.device).expand(x.shape[0], 2, 3);
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
    }
}
