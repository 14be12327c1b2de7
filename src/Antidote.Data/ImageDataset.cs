using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Data;

/// <summary>
/// Images as one in-memory float tensor [N, C, H, W] with values in [0, 1] (before normalisation), and labels
/// as an int64 tensor [N]. Owns both tensors. Batches are taken by index.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    private int[]? _labelArray;

    public ImageDataset(Tensor images, Tensor labels)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"images must be [N, C, H, W], got [{string.Join(", ", images.shape)}]");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be [{images.shape[0]}], got [{string.Join(", ", labels.shape)}]");
        Images = images.to_type(ScalarType.Float32).DetachFromDisposeScope();
        Labels = labels.to_type(ScalarType.Int64).DetachFromDisposeScope();
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    public int Count => (int)Images.shape[0];

    /// <summary>The labels as .NET integers (cached), for index-level decisions such as poisoning plans.</summary>
    public int[] LabelArray => _labelArray ??= Labels.data<long>().Select(l => (int)l).ToArray();

    /// <summary>A new dataset holding copies of the given rows.</summary>
    public ImageDataset Subset(IReadOnlyList<long> indices)
    {
        using var scope = NewDisposeScope();
        using var index = tensor(indices.ToArray(), ScalarType.Int64);
        return new ImageDataset(Images.index_select(0, index), Labels.index_select(0, index));
    }

    /// <summary>Rows <paramref name="indices"/> as a batch (images, labels); the caller's scope owns them.</summary>
    public (Tensor Images, Tensor Labels) Batch(long[] indices, Device device)
    {
        var index = tensor(indices, ScalarType.Int64);
        return (Images.index_select(0, index).to(device), Labels.index_select(0, index).to(device));
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
