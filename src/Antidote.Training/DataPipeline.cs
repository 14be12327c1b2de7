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

    /// <summary>A batch of images in [0, 1] on <see cref="Device"/>, augmented and normalised for training.</summary>
    public Tensor TrainInputs(Tensor images) => normalization.Apply(augmentation.Apply(images));

    /// <summary>Rows as a normalised evaluation batch (no augmentation).</summary>
    public (Tensor Inputs, Tensor Labels) EvalBatch(ImageDataset data, long[] indices)
    {
        var (images, labels) = data.Batch(indices, Device);
        return (normalization.Apply(images), labels);
    }

    public void Dispose() => normalization.Dispose();
}
