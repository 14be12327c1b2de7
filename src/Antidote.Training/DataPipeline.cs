using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Transforms;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>How batches reach a model and are computed on: the device, the arithmetic, the training augmentation, and the
/// normalisation.</summary>
public sealed class DataPipeline(Device device, TrainAugmentation augmentation, Normalization normalization, Precision precision = Precision.Float32) : IDisposable
{
    public static DataPipeline For(DatasetInfo info, Device device, bool augment = true, Precision precision = Precision.Float32) =>
        new(device, augment ? TrainAugmentation.For(info) : TrainAugmentation.None, Normalization.For(info, device), precision);

    public Device Device { get; } = device;

    /// <summary>The arithmetic the trainer and the evaluator use (<see cref="BFloat16Replica"/> for bfloat16).</summary>
    public Precision Precision { get; } = precision;

    /// <summary>A batch of images in [0, 1] on <see cref="Device"/>, augmented and normalised for training.</summary>
    public Tensor TrainInputs(Tensor images) => normalization.Apply(augmentation.Apply(images));

    /// <summary>The training augmentation alone, on images in [0, 1] (for methods that change pixels before normalising).</summary>
    public Tensor Augment(Tensor images) => augmentation.Apply(images);

    /// <summary>Pixels in [0, 1] to what the model sees.</summary>
    public Tensor Normalize(Tensor images) => normalization.Apply(images);

    /// <summary>What the model sees back to pixels (Neural Cleanse and SAU optimise in pixel space).</summary>
    public Tensor Denormalize(Tensor inputs) => normalization.Invert(inputs);

    /// <summary>Rows as a normalised evaluation batch (no augmentation).</summary>
    public (Tensor Inputs, Tensor Labels) EvalBatch(ImageDataset data, long[] indices)
    {
        var (images, labels) = data.Batch(indices, Device);
        return (normalization.Apply(images), labels);
    }

    public void Dispose() => normalization.Dispose();
}
