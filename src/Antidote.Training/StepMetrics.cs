namespace Antidote.Training;

/// <summary>Per-epoch running means of named per-step numbers (kept as .NET doubles, not tensors).</summary>
public sealed class StepMetrics
{
    private readonly Dictionary<string, (double Sum, long Weight)> _sums = [];

    public void Add(string name, double value, long weight = 1)
    {
        _sums.TryGetValue(name, out var s);
        _sums[name] = (s.Sum + value * weight, s.Weight + weight);
    }

    public IReadOnlyDictionary<string, double> Means() =>
        _sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / Math.Max(1, kv.Value.Weight));
}
