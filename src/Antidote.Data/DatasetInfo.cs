namespace Antidote.Data;

/// <summary>The fixed facts of a dataset that models, attacks and transforms need.</summary>
/// <param name="Mean">Per-channel normalisation mean (of pixel values in [0, 1]).</param>
/// <param name="Std">Per-channel normalisation standard deviation.</param>
/// <param name="CropPadding">Padding of the training random crop (BackdoorBench: 4 for every dataset).</param>
/// <param name="HorizontalFlip">Whether training flips images (BackdoorBench: CIFAR only).</param>
public sealed record DatasetInfo(
    string Name, int Channels, int Height, int Width, int Classes,
    float[] Mean, float[] Std, int CropPadding, bool HorizontalFlip)
{
    public long[] ImageShape => [Channels, Height, Width];
}
