using static TorchSharp.torch;

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

    /// <summary>Adds the share of rows whose arg-max logit is their label, weighted by the rows (the log's train_acc, train_asr).</summary>
    public void AddAccuracy(string name, Tensor logits, Tensor labels) =>
        Add(name, logits.argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>(), labels.shape[0]);

    public IReadOnlyDictionary<string, double> Means() =>
        _sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / Math.Max(1, kv.Value.Weight));
}
