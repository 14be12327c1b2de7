namespace Antidote.Core.Runtime;

/// <summary>
/// Process-wide libtorch preparation that must happen before the first convolution: repair what oneDNN misreads about the
/// CPU (<see cref="OneDnnCacheRecord"/>), then check the convolution kernels against float64
/// (<see cref="ConvolutionSelfCheck"/>); if they still disagree, run convolutions without oneDNN, and if even that fails,
/// refuse to train. Called by <see cref="ComputeSettings.Apply"/> and by every model's constructor; runs once.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<string> Preparation = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    private static bool _oneDnnFailedCheck;

    /// <summary>Prepares libtorch once per process; returns one line on the state of the convolution kernels.</summary>
    public static string EnsureReady() => Preparation.Value;

    /// <summary>
    /// Runs <paramref name="work"/> with oneDNN's kernels off (the benchmark's comparison of the two convolution paths) and
    /// turns them back on after it, unless the preparation found them wrong on this CPU; false (nothing run) where libtorch
    /// does not export the switch.
    /// </summary>
    public static bool TryRunWithoutOneDnn(Action work)
    {
        EnsureReady();
        if (!OneDnnSwitch.TrySet(false))
            return false;
        try
        {
            work();
        }
        finally
        {
            if (!_oneDnnFailedCheck)
                OneDnnSwitch.TrySet(true);
        }
        return true;
    }

    private static string Prepare()
    {
        string? repair = OneDnnCacheRecord.RepairIfBlank();
        string? failure = ConvolutionSelfCheck.FirstFailure(ConvolutionSelfCheck.Probes);
        if (failure is null)
            return repair is null ? "convolution kernels agree with float64" : $"{repair}; convolution kernels agree with float64";
        _oneDnnFailedCheck = true;
        if (!OneDnnSwitch.TrySet(false))
            throw new AntidoteException($"libtorch's convolutions give wrong results on this CPU ({failure}) and oneDNN cannot be turned off: " +
                                        "results would not be trustworthy");
        string? withoutOneDnn = ConvolutionSelfCheck.FirstFailure(ConvolutionSelfCheck.Probes);
        if (withoutOneDnn is not null)
            throw new AntidoteException($"libtorch's convolutions give wrong results on this CPU, with and without oneDNN ({withoutOneDnn}): " +
                                        "results would not be trustworthy");
        return $"oneDNN's convolutions disagree with float64 on this CPU ({failure}){(repair is null ? "" : $" after the repair ({repair})")}: " +
               "convolutions run on libtorch's own kernels (correct, slower)";
    }
}
