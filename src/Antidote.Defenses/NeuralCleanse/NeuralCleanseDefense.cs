using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// Neural Cleanse (Wang et al., S&amp;P 2019) as BackdoorBench runs it (defense/nc.py): reverse-engineer the smallest trigger
/// of every class on the clean subset, flag the classes whose trigger is anomalously small (anomaly index over 2), and if any
/// is flagged, unlearn: fine-tune on the clean subset with 20% of its rows replaced by copies stamped with each flagged
/// trigger under their true labels. A model with no flagged class is returned unchanged.
/// </summary>
public sealed class NeuralCleanseDefense(NeuralCleanseOptions options) : IDefense
{
    public string Name => "nc";

    public DefenseOutcome Run(DefenseContext context)
    {
        int classes = (int)context.Model.Classifier.weight!.shape[0];
        var (report, triggers) = TriggerScan.Run(context.Model, context.CleanData, null, context.Pipeline, classes,
            options.SearchOrDefault, context.Seed, context.Log, context.Cancel);
        try
        {
            var facts = new Dictionary<string, double>
            {
                ["anomaly_index"] = report.AnomalyIndex,
                ["flagged_classes"] = report.Flagged.Count,
                ["flagged_class"] = report.Flagged.Count > 0 ? report.Flagged[0] : -1,
            };
            var model = context.CopyOfModel();
            if (report.Flagged.Count == 0)
            {
                context.Log.Info("nc: no class flagged; the model is returned as it came");
                return new DefenseOutcome(model, [], facts);
            }
            using var unlearning = UnlearningSet(context, triggers.Where(t => report.Flagged.Contains(t.Target)).ToList());
            context.Log.Info($"nc: unlearning classes {string.Join(", ", report.Flagged)} on {unlearning.Count} rows");
            Seeds.SeedTorch(context.Seed, "nc-unlearn");
            var epochs = Trainer.Train(model, unlearning, context.Pipeline, options.FineTuneOrDefault.Settings(), new CrossEntropyObjective(),
                Seeds.Stream(context.Seed, "nc-unlearn-order"), context.Log, "nc", r => context.OnEpoch?.Invoke(r, model), context.Cancel);
            return new DefenseOutcome(model, epochs, facts);
        }
        finally
        {
            foreach (var trigger in triggers) trigger.Dispose();
        }
    }

    /// <summary>The first (1 − ratio) of the shuffled clean rows as they are, then the last ratio stamped with each flagged
    /// trigger, labels kept (BackdoorBench's x·(1 − m) + m·p).</summary>
    private ImageDataset UnlearningSet(DefenseContext context, List<ReversedTrigger> flagged)
    {
        var rows = Seeds.ShuffledRows(context.CleanData.Count, context.Seed, "nc-unlearn-rows");
        int clean = (int)(context.CleanData.Count * (1 - options.UnlearningRatio));
        var parts = new List<ImageDataset> { context.CleanData.Subset(rows[..clean]) };
        foreach (var trigger in flagged)
            parts.Add(TriggerScan.Stamp(context.CleanData.Subset(rows[clean..]), trigger));
        using var scope = NewDisposeScope();
        try
        {
            return new ImageDataset(cat(parts.Select(p => p.Images).ToArray()), cat(parts.Select(p => p.Labels).ToArray()));
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
