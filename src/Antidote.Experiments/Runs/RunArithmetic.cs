using Antidote.Core.Runtime;

namespace Antidote.Experiments.Runs;

/// <summary>
/// How a run's arithmetic shows in what names and identifies it. A bfloat16 run gets its own folder name, table label and
/// hash, so it never replaces, stands in for or averages with the float32 run it otherwise equals; float32 names and hashes
/// stay what they were before there was a choice (device and threads change last digits, not the run).
/// </summary>
public static class RunArithmetic
{
    /// <summary>"-bf16" after a run folder's name for bfloat16 arithmetic, else nothing.</summary>
    public static string FolderSuffix(ComputeSettings? compute) => IsBFloat16(compute) ? "-bf16" : "";

    /// <summary>"small-cnn (bf16)" in tables and the store for bfloat16 arithmetic, else the label as it is.</summary>
    public static string ModelLabel(string label, ComputeSettings? compute) => IsBFloat16(compute) ? $"{label} (bf16)" : label;

    /// <summary>A run's hash with its arithmetic folded in (float32: the hash unchanged).</summary>
    public static string Hash(string hash, ComputeSettings? compute) =>
        IsBFloat16(compute) ? RunRecord.Hash(new ArithmeticIdentity(hash, Precision.Bf16)) : hash;

    private static bool IsBFloat16(ComputeSettings? compute) => compute?.Precision is Precision.Bf16;

    private sealed record ArithmeticIdentity(string Hash, Precision Precision);
}
