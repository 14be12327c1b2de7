namespace Antidote.Core.Runtime;

/// <summary>
/// Derives independent, stable sub-seeds from the one user seed, so that poisoning, data order and
/// initialisation each have their own stream and adding a consumer does not shift the others.
/// </summary>
public static class Seeds
{
    public static int Derive(long seed, string purpose)
    {
        // SplitMix64 over the seed mixed with a stable (FNV-1a) hash of the purpose.
        ulong hash = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        ulong z = unchecked((ulong)seed + hash + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A .NET random stream for index-level decisions (subsets, poisoned indices, batch order).</summary>
    public static Random Stream(long seed, string purpose) => new(Derive(seed, purpose));

    /// <summary>The row indices 0..count−1 shuffled by the stream for <paramref name="purpose"/> (subsets and hold-outs take a prefix).</summary>
    public static long[] ShuffledRows(int count, long seed, string purpose)
    {
        var rows = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        Stream(seed, purpose).Shuffle(rows);
        return rows;
    }

    /// <summary>Seeds libtorch's global generator (initialisation, augmentation, warm-up noise).</summary>
    public static void SeedTorch(long seed, string purpose) => TorchSharp.torch.manual_seed(Derive(seed, purpose));
}
