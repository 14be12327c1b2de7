using Antidote.Data;
using static TorchSharp.torch;

namespace Antidote.Tests.TestKit;

/// <summary>
/// A tiny learnable dataset: class k (of 4) is a bright square in quadrant k on a noisy dark background,
/// kept away from the bottom-right corner where BadNets stamps its trigger.
/// </summary>
public static class QuadrantImages
{
    public static DatasetInfo Info(int side = 12, int channels = 1) =>
        new($"quadrants-{side}", channels, side, side, 4, Enumerable.Repeat(0.2f, channels).ToArray(),
            Enumerable.Repeat(0.3f, channels).ToArray(), CropPadding: 0, HorizontalFlip: false);

    public static byte[] Pixels(int count, int side, int seed, out byte[] labels, int channels = 1)
    {
        var random = new Random(seed);
        var pixels = new byte[count * channels * side * side];
        labels = new byte[count];
        int blob = Math.Max(2, side / 4), margin = Math.Max(1, side / 12);
        for (int n = 0; n < count; n++)
        {
            int label = n % 4;
            labels[n] = (byte)label;
            int top = label / 2 == 0 ? margin : side / 2 - margin, left = label % 2 == 0 ? margin : side / 2 - margin;
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                    {
                        bool inBlob = y >= top && y < top + blob && x >= left && x < left + blob;
                        pixels[((n * channels + c) * side + y) * side + x] = (byte)(inBlob ? 160 + random.Next(60) : random.Next(60));
                    }
        }
        return pixels;
    }

    public static ImageDataset Create(int count, int side = 12, int seed = 1)
    {
        byte[] pixels = Pixels(count, side, seed, out byte[] labels);
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [count, 1, side, side]).to_type(ScalarType.Float32).div_(255f);
        return new ImageDataset(images, tensor(labels.Select(l => (long)l).ToArray(), ScalarType.Int64));
    }
}
