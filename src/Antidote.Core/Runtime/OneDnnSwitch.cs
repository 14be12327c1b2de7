using System.Runtime.InteropServices;
using TorchSharp;

namespace Antidote.Core.Runtime;

/// <summary>
/// PyTorch's <c>torch.backends.mkldnn.enabled = False</c>, which TorchSharp does not expose: convolutions then run on
/// libtorch's own kernels (correct everywhere, about a third slower here). The last resort when oneDNN's kernels fail
/// <see cref="ConvolutionSelfCheck"/> and cannot be repaired; also the benchmark's comparison of the two paths.
/// </summary>
internal static class OneDnnSwitch
{
    // at::globalContext() and at::Context::setUserEnabledMkldnn(bool), exported by libtorch_cpu (Itanium C++ ABI names).
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledMkldnn = "_ZN2at7Context20setUserEnabledMkldnnEb";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetEnabledFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>Turns oneDNN off (or back on) for this process; false where libtorch does not export the switch.</summary>
    public static bool TrySet(bool enabled)
    {
        if (!NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so",
                typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out var library))
            return false;
        if (!NativeLibrary.TryGetExport(library, GlobalContext, out var contextAddress) ||
            !NativeLibrary.TryGetExport(library, SetUserEnabledMkldnn, out var setAddress))
            return false;
        var context = Marshal.GetDelegateForFunctionPointer<GlobalContextFunction>(contextAddress)();
        Marshal.GetDelegateForFunctionPointer<SetEnabledFunction>(setAddress)(context, enabled);
        return true;
    }
}
