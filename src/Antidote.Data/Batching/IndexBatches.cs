namespace Antidote.Data.Batching;

/// <summary>Splits row indices into batches: shuffled with a seeded stream for training, in order for evaluation.</summary>
public static class IndexBatches
{
    /// <summary>A fresh permutation of 0..count-1 in batches; the last batch may be smaller (PyTorch's drop_last=False).</summary>
    public static IEnumerable<long[]> Shuffled(int count, int batchSize, Random random)
    {
        var order = new long[count];
        for (int i = 0; i < count; i++) order[i] = i;
        random.Shuffle(order);
        return Chunk(order, batchSize);
    }

    public static IEnumerable<long[]> InOrder(int count, int batchSize)
    {
        var order = new long[count];
        for (int i = 0; i < count; i++) order[i] = i;
        return Chunk(order, batchSize);
    }

    public static int Count(int count, int batchSize) => (count + batchSize - 1) / batchSize;

    private static IEnumerable<long[]> Chunk(long[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize)
            yield return order[start..Math.Min(order.Length, start + batchSize)];
    }
}
