using TorchSharp;

namespace Antidote.Core.Runtime;

/// <summary>Where tensors live and how many CPU threads libtorch may use.</summary>
/// <param name="Device">"cpu", "cuda", "cuda:1"; validated at the edge.</param>
/// <param name="Threads">CPU threads for libtorch; 0 = all cores. Fixing it keeps CPU runs repeatable.</param>
/// <param name="Precision">The arithmetic of training and evaluation (<see cref="Runtime.Precision"/>).</param>
public sealed record ComputeSettings(string Device = "cpu", int Threads = 0, Precision Precision = Precision.Float32)
{
    public torch.Device TorchDevice => new(Device);

    /// <summary>Applies the thread count (libtorch reads it globally) and prepares the kernels (<see cref="TorchRuntime"/>);
    /// returns a line for the run's log.</summary>
    public string Apply()
    {
        int threads = Threads > 0 ? Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        string arithmetic = Precision != Precision.Bf16 ? ""
            : ", bfloat16 arithmetic with float32 master weights" + (Device == "cpu" && CpuFeatures.NativeBFloat16() == false
                ? " (this CPU has no native bfloat16, so expect it slower than float32)" : "");
        return $"{threads} CPU thread{(threads == 1 ? "" : "s")}, device {Device}{arithmetic}; {TorchRuntime.EnsureReady()}";
    }
}
