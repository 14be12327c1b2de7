using Antidote.Data;
using Antidote.Data.Transforms;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>How batches reach a model: the device, the training augmentation, and the normalisation.</summary>
public sealed class DataPipeline(Device device, TrainAugmentation augmentation, Normalization normalization) : IDisposable
{
    public static DataPipeline For(DatasetInfo info, Device device, bool augment = true) =>
        new(device, augment ? TrainAugmentation.For(info) : TrainAugmentation.None, Normalization.For(info, device));

    public Device Device { get; } = device;

    /// <summary>Rows as an augmented, normalised training batch; tensors belong to the caller's scope.</summary>
    public (Tensor Inputs, Tensor Labels) TrainBatch(ImageDataset data, long[] indices)
    {
        var (images, labels) = data.Batch(indices, Device);
        return (normalization.Apply(augmentation.Apply(images)), labels);
    }

    /// <summary>Rows as a normalised evaluation batch (no augmentation).</summary>
    public (Tensor Inputs, Tensor Labels) EvalBatch(ImageDataset data, long[] indices)
    {
        var (images, labels) = data.Batch(indices, Device);
        return (normalization.Apply(images), labels);
    }

    public void Dispose() => normalization.Dispose();
}
