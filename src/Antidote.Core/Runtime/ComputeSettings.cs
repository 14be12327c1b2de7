using TorchSharp;

namespace Antidote.Core.Runtime;

/// <summary>Where tensors live and how many CPU threads libtorch may use.</summary>
/// <param name="Device">"cpu", "cuda", "cuda:1"; validated at the edge.</param>
/// <param name="Threads">CPU threads for libtorch; 0 = all cores. Fixing it keeps CPU runs repeatable.</param>
public sealed record ComputeSettings(string Device = "cpu", int Threads = 0)
{
    public torch.Device TorchDevice => new(Device);

    /// <summary>Applies the thread count once, at start (libtorch reads it globally).</summary>
    public void Apply()
    {
        torch.set_num_threads(Threads > 0 ? Threads : Environment.ProcessorCount);
    }
}
