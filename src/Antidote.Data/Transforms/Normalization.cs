using static TorchSharp.torch;

namespace Antidote.Data.Transforms;

/// <summary>Per-channel (x − mean) / std, the last step before a model sees a batch.</summary>
public sealed class Normalization : IDisposable
{
    private readonly Tensor _mean;
    private readonly Tensor _std;

    public Normalization(float[] mean, float[] std, Device device)
    {
        _mean = tensor(mean).view(1, -1, 1, 1).to(device).DetachFromDisposeScope();
        _std = tensor(std).view(1, -1, 1, 1).to(device).DetachFromDisposeScope();
    }

    public static Normalization For(DatasetInfo info, Device device) => new(info.Mean, info.Std, device);

    public Tensor Apply(Tensor batch) => (batch - _mean) / _std;

    /// <summary>Back to pixel values: x · std + mean.</summary>
    public Tensor Invert(Tensor batch) => batch * _std + _mean;

    public void Dispose()
    {
        _mean.Dispose();
        _std.Dispose();
    }
}
