namespace Antidote.Core.Runtime;

/// <summary>What the CPU can do that changes which arithmetic pays, read from Linux's /proc/cpuinfo.</summary>
public static class CpuFeatures
{
    /// <summary>True when the CPU multiplies bfloat16 natively (AVX512_BF16 or AMX-BF16), false when it does not (libtorch
    /// then converts, and bfloat16 is usually slower than float32), null where it cannot tell (not Linux, file unreadable).</summary>
    public static bool? NativeBFloat16()
    {
        try
        {
            return File.Exists("/proc/cpuinfo") ? NativeBFloat16In(File.ReadAllText("/proc/cpuinfo")) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The same answer from the text of a /proc/cpuinfo (null when it has no "flags" line).</summary>
    public static bool? NativeBFloat16In(string cpuinfo)
    {
        var flags = cpuinfo.Split('\n').FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal));
        if (flags is null || !flags.Contains(':')) return null;
        var names = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return names.Contains("avx512_bf16") || names.Contains("amx_bf16");
    }
}
