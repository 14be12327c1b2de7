using System.Diagnostics;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// A backdoor scan that needs no trigger: Neural Cleanse's smallest trigger for every class (<see cref="TriggerSearch"/>),
/// the median absolute deviation of their L1 norms (consistency constant 1.4826, medians as torch.median takes them: the lower
/// middle value), the classes whose trigger is anomalously small, and how well each trigger works on clean images it was not
/// fitted on. Leaves the model as it found it.
/// </summary>
public static class TriggerScan
{
    private const double MadConsistency = 1.4826;

    /// <param name="held">Clean images kept out of the search, to measure each trigger's success; null = measured on <paramref name="learn"/>.</param>
    public static (ScanReport Report, List<ReversedTrigger> Triggers) Run(ImageClassifier model, ImageDataset learn, ImageDataset? held,
        DataPipeline pipeline, int classes, TriggerSearchOptions options, long seed, IRunLog log, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        bool wasTraining = model.training;
        var trainable = model.parameters().Select(p => (p, p.requires_grad)).ToList();
        var triggers = new List<ReversedTrigger>();
        try
        {
            model.eval();
            foreach (var (parameter, _) in trainable) parameter.requires_grad_(false);
            Seeds.SeedTorch(seed, "nc-augment");
            for (int target = 0; target < classes; target++)
            {
                var trigger = TriggerSearch.Run(model, learn, pipeline, target, options, Seeds.Stream(seed, $"nc-order-{target}"), log, cancel);
                triggers.Add(trigger);
                log.Info($"nc: class {target}: smallest trigger's L1 norm {trigger.MaskNorm:F2}");
            }
        }
        catch
        {
            foreach (var trigger in triggers) trigger.Dispose();
            throw;
        }
        finally
        {
            foreach (var (parameter, flag) in trainable) parameter.requires_grad_(flag);
            if (wasTraining) model.train();
        }

        double[] norms = [.. triggers.Select(t => t.MaskNorm)];
        var (median, anomaly) = AnomalyIndices(norms);
        var scored = triggers.Select(t => new ClassScan(t.Target, norms[t.Target], anomaly[t.Target],
            HeldOutSuccess(model, t, held ?? learn, pipeline))).ToList();
        var flagged = scored.Where(c => c.AnomalyIndex > options.AnomalyThreshold).OrderByDescending(c => c.AnomalyIndex).Select(c => c.Class).ToList();
        var report = new ScanReport(scored, flagged, scored.Max(c => c.AnomalyIndex), options.AnomalyThreshold, median,
            (held ?? learn).Count, clock.Elapsed.TotalSeconds, held is not null);
        log.Info($"nc: {report.Verdict}");
        return (report, triggers);
    }

    /// <summary>Each norm's distance below the median in units of the consistency-scaled median absolute deviation (0 at or
    /// above the median): Neural Cleanse's anomaly index, as BackdoorBench's outlier_detection computes it.</summary>
    public static (double Median, double[] Indices) AnomalyIndices(double[] norms)
    {
        double median = LowerMedian(norms);
        double mad = Math.Max(MadConsistency * LowerMedian([.. norms.Select(n => Math.Abs(n - median))]), 1e-12);
        return (median, [.. norms.Select(n => Math.Max(0, median - n) / mad)]);
    }

    /// <summary>The share of images whose label is not the trigger's class that the stamped images send to it.</summary>
    public static double HeldOutSuccess(ImageClassifier model, ReversedTrigger trigger, ImageDataset data, DataPipeline pipeline)
    {
        long[] others = [.. Enumerable.Range(0, data.Count).Where(i => data.LabelArray[i] != trigger.Target).Select(i => (long)i)];
        if (others.Length == 0) return double.NaN;
        using var stamped = Stamp(data.Subset(others), trigger);
        return Evaluator.Predict(model, stamped, pipeline).Count(p => p == trigger.Target) / (double)others.Length;
    }

    /// <summary>The rows with the trigger stamped on, labels kept (takes ownership of <paramref name="rows"/>).</summary>
    public static ImageDataset Stamp(ImageDataset rows, ReversedTrigger trigger)
    {
        using (rows)
        using (var scope = NewDisposeScope())
            return new ImageDataset(trigger.Apply(rows.Images).clamp(0, 1), rows.Labels.clone());
    }

    private static double LowerMedian(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[(sorted.Length - 1) / 2];
    }
}
