using System.Globalization;
using System.Text;
using Antidote.Core.IO;
using Antidote.Training;

namespace Antidote.Experiments.Runs;

/// <summary>Writes per-epoch records as metrics.csv (one row per epoch) and metrics.json.</summary>
public static class EpochTable
{
    public static void Write(string directory, IReadOnlyList<EpochRecord> records)
    {
        var keys = records.SelectMany(r => r.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder("epoch,loss,lr,seconds");
        foreach (string k in keys) csv.Append(',').Append(k);
        csv.AppendLine();
        foreach (var r in records)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.Loss:R},{r.LearningRate:R},{r.Seconds:F3}");
            foreach (string k in keys)
                csv.Append(',').Append(r.Values.TryGetValue(k, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            csv.AppendLine();
        }
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.MetricsCsv), csv.ToString());
        RunJson.Write(Path.Combine(directory, RunFiles.MetricsJson), records);
    }
}
