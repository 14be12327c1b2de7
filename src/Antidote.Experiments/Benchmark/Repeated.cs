namespace Antidote.Experiments.Benchmark;

/// <summary>A timing taken several times: one slow repetition (another process waking up, the allocator growing) should
/// not become the benchmark's number, so every benchmark reports the median.</summary>
public static class Repeated
{
    public static double Median(int repeats, Func<double> measure)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "at least one repetition");
        double[] values = Enumerable.Range(0, repeats).Select(_ => measure()).Order().ToArray();
        return repeats % 2 == 1 ? values[repeats / 2] : (values[repeats / 2 - 1] + values[repeats / 2]) / 2;
    }
}
