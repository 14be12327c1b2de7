using System.Globalization;
using System.Text;
using Antidote.Core.IO;

namespace Antidote.Experiments.Sweeps;

/// <summary>Writes a sweep's rows (sweep.csv) and its per-cell summary (sweep.md).</summary>
public static class SweepReport
{
    public static void Write(SweepSettings settings, IReadOnlyList<SweepRow> rows)
    {
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "sweep.csv"), Csv(rows));
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "sweep.md"), Markdown(settings, rows));
    }

    public static string Csv(IReadOnlyList<SweepRow> rows)
    {
        var csv = new StringBuilder("model,attack,clean,variant,seed,acc_before,asr_before,acc_after,asr_after,ra_after,der,epochs,stop_epoch,seconds\n");
        foreach (var r in rows)
        {
            var s = r.Summary;
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Model},{r.Attack},{r.CleanSamples},{r.Variant},{r.Seed},{s.Before.Accuracy:F4},{s.Before.AttackSuccessRate:F4},{s.After.Accuracy:F4},{s.After.AttackSuccessRate:F4},{s.After.RobustAccuracy:F4},{s.DefenseEffectiveness:F4},{s.Epochs},{s.StopEpoch},{s.Seconds:F1}"));
        }
        return csv.ToString();
    }

    /// <summary>The variant whose mean ACC is the fallback bar where fine-tuning itself costs accuracy.</summary>
    public const string FineTuningLabel = "ft";

    /// <summary>
    /// One line per (model, attack, clean-set size, variant): ACC and ASR after (mean ± sd over seeds; a single seed's
    /// value alone), the worst seed, the mean wall time of a run, and pass/fail. The ACC bar is the backdoored model's ACC,
    /// or plain FT's mean ACC in the same cell where FT itself falls further (then the loss column is measured against FT,
    /// marked "ft").
    /// </summary>
    public static string Markdown(SweepSettings settings, IReadOnlyList<SweepRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"pass = every seed ends at ASR <= {100 * settings.MaxAsr:F0}% with ACC at most {100 * settings.MaxAccuracyDrop:F0} points below the backdoored model's, " +
            $"or below plain FT's mean (variant \"{FineTuningLabel}\") where FT itself loses more"));
        text.AppendLine();
        text.AppendLine("| model | attack | clean | variant | seeds | ACC before | ASR before | ACC after | ASR after | worst ACC loss | worst ASR | epochs | stop epoch | s/run | pass |");
        text.AppendLine("|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|");
        foreach (var cell in rows.GroupBy(r => (r.Model, r.Attack, r.CleanSamples, r.Variant)))
        {
            var s = cell.Select(r => r.Summary).ToList();
            var fineTuned = rows.Where(r => (r.Model, r.Attack, r.CleanSamples, r.Variant) == (cell.Key.Model, cell.Key.Attack, cell.Key.CleanSamples, FineTuningLabel))
                .Select(r => r.Summary.After.Accuracy).ToList();
            double before = s[0].Before.Accuracy;
            bool againstFineTuning = fineTuned.Count > 0 && before - fineTuned.Average() > settings.MaxAccuracyDrop;
            double bar = againstFineTuning ? fineTuned.Average() : before;
            double worstDrop = s.Max(x => bar - x.After.Accuracy), worstAsr = s.Max(x => x.After.AttackSuccessRate);
            bool pass = worstAsr <= settings.MaxAsr && worstDrop <= settings.MaxAccuracyDrop;
            string stops = string.Join("/", s.Select(x => x.StopEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cell.Key.Model} | {cell.Key.Attack} | {cell.Key.CleanSamples} | {cell.Key.Variant} | {s.Count} | {100 * s[0].Before.Accuracy:F2} | {100 * s[0].Before.AttackSuccessRate:F2} | " +
                $"{MeanSd(s.Select(x => x.After.Accuracy))} | {MeanSd(s.Select(x => x.After.AttackSuccessRate))} | {100 * worstDrop:F2}{(againstFineTuning ? " (ft)" : "")} | " +
                $"{100 * worstAsr:F2} | {s[0].Epochs} | {stops} | {s.Average(x => x.Seconds):F0} | {(pass ? "yes" : "no")} |"));
        }
        return text.ToString();
    }

    private static string MeanSd(IEnumerable<double> values)
    {
        var v = values.Select(x => 100 * x).ToList();
        double mean = v.Average();
        if (v.Count == 1) return string.Create(CultureInfo.InvariantCulture, $"{mean:F2}");
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F2} ± {sd:F2}");
    }
}
