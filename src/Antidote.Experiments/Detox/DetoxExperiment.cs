using System.Diagnostics;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Metrics;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.ImageFolder;
using Antidote.Data.Transforms;
using Antidote.Defenses;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Experiments.Scan;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;

namespace Antidote.Experiments.Detox;

/// <summary>
/// `antidote detox`: load a checkpoint someone already has, split their clean images into a seeded training part and a
/// held-out part (never trained on), run the defense on the training part, measure ACC (and ASR/RA when a trigger is
/// known) on the held-out part before and after, and write the cleaned weights in the checkpoint's own format and key
/// names beside a run folder.
/// </summary>
public static class DetoxExperiment
{
    /// <summary>The cleaned file: "{stem}.{method}{extension}" beside the run folder.</summary>
    public static string OutputFile(DetoxSettings settings, RunLocation location) =>
        Path.Combine(location.Parent, $"{location.Name}{Path.GetExtension(settings.Weights)}");

    /// <summary>"{stem}.{method}", "-bf16" after it under bfloat16 arithmetic (so the two never overwrite each other).</summary>
    public static string DefaultName(DetoxSettings s) =>
        $"{Path.GetFileNameWithoutExtension(s.Weights)}.{DefenseCatalog.NameOf(s.Defense)}{RunArithmetic.FolderSuffix(s.Compute)}";

    public static DetoxSummary Run(DetoxSettings settings, RunLocation location, IRunLog console, CancellationToken cancel = default)
    {
        CheckOutputs(settings, location);
        var compute = settings.Compute ?? new ComputeSettings();
        string computeState = compute.Apply();
        string method = DefenseCatalog.NameOf(settings.Defense);
        var spec = new ModelSpec(settings.Model, settings.Input.Channels, settings.Classes, settings.Input.Height, settings.Input.Width);
        spec.Validate();
        using var model = ModelCatalog.Create(spec);
        var layout = ModelCheckpoint.Load(model, settings.Weights);
        model.to(compute.TorchDevice);
        model.eval();

        var clean = ImageFolderReader.Read(settings.CleanFolder, settings.Input);
        using var cleanData = clean.Data;
        if (clean.Classes.Count != settings.Classes)
            throw new AntidoteException($"{settings.CleanFolder}: {clean.Classes.Count} class folders for a model of {settings.Classes} classes " +
                                        "(folder names in sorted order are the labels 0..N-1)");
        var (trainRows, heldRows) = Split(cleanData.Count, settings.Holdout, settings.Seed);
        using var train = cleanData.Subset(trainRows);
        using var held = cleanData.Subset(heldRows);

        var info = new DatasetInfo("imagefolder", settings.Input.Channels, settings.Input.Height, settings.Input.Width, settings.Classes,
            settings.Mean, settings.Std, CropPadding: 0, HorizontalFlip: false);
        DataPipeline Pipeline(Precision precision) => new(compute.TorchDevice, TrainAugmentation.None, Normalization.For(info, compute.TorchDevice), precision);
        using var pipeline = Pipeline(compute.Precision);
        // Neural Cleanse's trigger search was not checked in bfloat16, so the scan always runs in float32.
        using var scanPipeline = compute.Precision == Precision.Float32 || settings.Scan is null ? null : Pipeline(Precision.Float32);
        using var triggered = TriggeredImages(settings, clean.Classes, held, info);

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"compute: {computeState}");
        if (scanPipeline is not null) log.Info("detox: the scan runs in float32 (its trigger search was not checked in bfloat16)");
        RunJson.Write(staging.File(RunFiles.Config), settings with { Defense = settings.Defense.Resolved() });
        RunJson.Write(staging.File("holdout-files.json"), heldRows.Select(r => Path.GetRelativePath(settings.CleanFolder, clean.Files[(int)r])).ToArray());
        var before = Evaluate(model, held, triggered, settings.Target, pipeline);
        log.Info($"detox: {settings.Weights} ({layout.Format.Name}{(layout.KeyPrefix.Length > 0 ? $", keys under '{layout.KeyPrefix}'" : "")}), " +
                 $"{train.Count} clean images to train on, {held.Count} held out; before: {Describe(before)}");

        var scanBefore = ScanModel(settings, model, train, held, scanPipeline ?? pipeline, staging.File("triggers-before.png"), "before", log, cancel);

        var context = new DefenseContext(model, train, norm => { var m = ModelCatalog.Create(spec, norm); m.to(compute.TorchDevice); return m; },
            pipeline, settings.Seed, log, Cancel: cancel);
        var clock = Stopwatch.StartNew();
        var outcome = DefenseCatalog.Default.Get(method).Create(settings.Defense).Run(context);
        using var cleaned = outcome.Model;
        double seconds = clock.Elapsed.TotalSeconds;
        var after = Evaluate(cleaned, held, triggered, settings.Target, pipeline);
        log.Info($"detox: {method} done in {seconds:F0}s; after: {Describe(after)}");
        var scanAfter = ScanModel(settings, cleaned, train, held, scanPipeline ?? pipeline, staging.File("triggers-after.png"), "after", log, cancel);

        EpochTable.Write(staging.Root, outcome.Epochs);
        string output = OutputFile(settings, location);
        var summary = new DetoxSummary(method, before, after, seconds, train.Count, held.Count, triggered?.Data.Count ?? 0,
            Path.GetFileName(output), layout.Format.Name, layout.KeyPrefix, scanBefore, scanAfter,
            scanBefore is not null && scanAfter is not null ? ScanComparison.Of(scanBefore, scanAfter, settings.SurvivalOrDefault) : null);
        if (summary.Survival is { } survival) log.Info($"detox: {survival.Verdict}");
        RunJson.Write(staging.File(RunFiles.Summary), summary);
        RunJson.Write(staging.File(RunFiles.Record), new RunRecord("detox", null, "imagefolder", spec.Name, "unknown", method,
            RunArithmetic.Hash(RunRecord.Hash(settings with { Compute = null }), compute), settings.Seed));
        // The cleaned weights go out in the format and key names they came in (written atomically), then the run folder.
        ModelCheckpoint.Save(cleaned, output, layout.Format, layout.KeyPrefix);
        staging.Commit();
        return summary;
    }

    /// <summary>
    /// Before any work: the cleaned file must not be the input checkpoint (by any path or link), nor a folder, and neither it
    /// nor the run folder may land inside the clean folder (it would become a class folder, or overwrite the user's data).
    /// </summary>
    public static void CheckOutputs(DetoxSettings settings, RunLocation location)
    {
        string output = Path.GetFullPath(OutputFile(settings, location));
        string weights = RealPath(settings.Weights);
        if (RealPath(output) == weights)
            throw new AntidoteException($"the cleaned weights would overwrite the input checkpoint {settings.Weights}: choose another --out or --name");
        if (Directory.Exists(output))
            throw new AntidoteException($"the cleaned weights would go to {output}, which is a folder: choose another --out or --name");
        string clean = RealPath(settings.CleanFolder);
        foreach (string written in new[] { output, Path.GetFullPath(location.Path) })
            if (FolderPath.IsInside(RealPath(written), clean))
                throw new AntidoteException($"{written} is inside the clean folder {settings.CleanFolder}: choose an --out outside it");
    }

    /// <summary>The full path with every existing link on it resolved (so two spellings of one file compare equal).</summary>
    private static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        string resolvedParent = parent is null || parent == full ? full : RealPath(parent);
        string joined = parent is null || parent == full ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        var info = new FileInfo(joined);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            return RealPath(target.FullName);
        return joined;
    }

    /// <summary>The trigger scan of one model where asked (null otherwise); its triggers drawn to <paramref name="png"/>.</summary>
    private static ScanReport? ScanModel(DetoxSettings settings, ImageClassifier model, ImageDataset train, ImageDataset held, DataPipeline pipeline,
        string png, string when, IRunLog log, CancellationToken cancel)
    {
        if (settings.Scan is not { } search) return null;
        log.Info($"detox: scanning the model {when} the defense ({train.Count} clean images searched, {held.Count} held out)");
        var (report, triggers) = TriggerScan.Run(model, train, held, pipeline, settings.Classes, search, settings.Seed, log, cancel);
        try
        {
            TriggerGrid.Write(png, triggers);
        }
        finally
        {
            foreach (var trigger in triggers) trigger.Dispose();
        }
        log.Info($"detox: scan {when}: {report.Verdict}");
        return report;
    }

    private static string Describe(EvaluationResult r) =>
        $"ACC {r.Accuracy:P2}" + (double.IsNaN(r.AttackSuccessRate) ? "" : $" ASR {r.AttackSuccessRate:P2}") + (double.IsNaN(r.RobustAccuracy) ? "" : $" RA {r.RobustAccuracy:P2}");

    /// <summary>The held-out rows: round(fraction × N), drawn with the seed; the rest train.</summary>
    public static (long[] Train, long[] Held) Split(int count, double fraction, long seed)
    {
        int held = (int)Math.Round(fraction * count);
        if (held < 1 || held >= count)
            throw new AntidoteException($"holding out {fraction} of {count} clean images leaves no images on one side");
        var rows = Seeds.ShuffledRows(count, seed, "detox-holdout");
        var heldRows = rows[..held];
        var trainRows = rows[held..];
        Array.Sort(heldRows);
        Array.Sort(trainRows);
        return (trainRows, heldRows);
    }

    /// <summary>Triggered images with their true labels (−1 where unknown): a folder the user gave, or the suspected attack
    /// planted on the held-out images of other classes than the target.</summary>
    private static TriggeredSet? TriggeredImages(DetoxSettings settings, IReadOnlyList<string> classes, ImageDataset held, DatasetInfo info)
    {
        if (settings.TriggeredFolder is string folder)
        {
            bool labelled = Directory.GetDirectories(folder).Length > 0 && Directory.GetDirectories(folder).All(d => classes.Contains(Path.GetFileName(d)));
            var read = labelled ? ImageFolderReader.Read(folder, settings.Input, classes) : ImageFolderReader.Read(folder, settings.Input, label: -1);
            return new TriggeredSet(read.Data, labelled);
        }
        if (settings.Attack is not { } options) return null;
        var attackSettings = new AttackSettings(Target: settings.Target);
        using var attack = AttackCatalog.Default.Get(AttackCatalog.NameOf(options)).Create(new AttackRequest(info, attackSettings, options));
        using var pipeline = new DataPipeline(TorchSharp.torch.CPU, TrainAugmentation.None, Normalization.For(info, TorchSharp.torch.CPU));
        attack.Prepare(new AttackPreparation(held, () => throw new AntidoteException("detox: an attack that trains a model cannot be planted here"),
            pipeline, settings.Seed, NullRunLog.Instance));
        var (images, _) = PoisonedData.Test(held, attack);
        return new TriggeredSet(images, true);
    }

    private static EvaluationResult Evaluate(ImageClassifier model, ImageDataset held, TriggeredSet? triggered, int target, DataPipeline pipeline)
    {
        double accuracy = BackdoorMetrics.Accuracy(Evaluator.Predict(model, held, pipeline), held.LabelArray);
        if (triggered is null) return new EvaluationResult(accuracy, double.NaN, double.NaN);
        int[] predicted = Evaluator.Predict(model, triggered.Data, pipeline);
        int[] labels = triggered.Data.LabelArray;
        var rows = Enumerable.Range(0, predicted.Length).Where(i => !triggered.Labelled || labels[i] != target).ToArray();
        double asr = rows.Length == 0 ? double.NaN : rows.Count(i => predicted[i] == target) / (double)rows.Length;
        double ra = !triggered.Labelled || rows.Length == 0 ? double.NaN : rows.Count(i => predicted[i] == labels[i]) / (double)rows.Length;
        return new EvaluationResult(accuracy, asr, ra);
    }

    private sealed record TriggeredSet(ImageDataset Data, bool Labelled) : IDisposable
    {
        public void Dispose() => Data.Dispose();
    }
}
