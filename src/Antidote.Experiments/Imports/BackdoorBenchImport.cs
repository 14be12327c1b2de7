using System.Diagnostics;
using Antidote.Attacks;
using Antidote.Attacks.Recorded;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Metrics;
using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Experiments.Imports;

/// <summary>What `antidote import` measured, beside what the record says of itself.</summary>
public sealed record ImportSummary(string Record, string Attack, EvaluationResult Measured, RecordMetrics? Own, int TriggeredImages, double Seconds);

/// <summary>
/// `antidote import`: a BackdoorBench record becomes an Antidote attack run folder (config.json, the model, the poison plan
/// read from bd_train, the record's triggered test images as a <see cref="RecordedAttack"/>, and summary.json with ACC,
/// ASR and RA measured here), so `defend`, `eval`, `scan`, sweeps and reports take it like any attack run. Before anything
/// is written the record is checked against the dataset the user points to: every test row the record triggered must
/// carry the true label the record gives it, and every row the attack could target must be recorded.
/// </summary>
public static class BackdoorBenchImport
{
    public const string ImportFile = "import.json";

    /// <summary>OUT/NAME, NAME by default the record folder's own name.</summary>
    public static RunLocation DefaultLocation(string record, string outDirectory, string? name, bool force = false) =>
        new(Path.GetFullPath(outDirectory), name ?? Path.GetFileName(Path.GetFullPath(record).TrimEnd(Path.DirectorySeparatorChar)), force);

    public static ImportSummary Run(string recordFolder, string? dataDirectory, RunLocation location, IRunLog console, Device? device = null)
    {
        var clock = Stopwatch.StartNew();
        var record = BackdoorBenchRecord.Read(recordFolder);
        if (FolderPath.IsInside(location.Path, record.Folder) || FolderPath.IsInside(record.Folder, location.Path))
            throw new AntidoteException($"the run folder {location.Path} would replace or sit inside the record {record.Folder}: choose another --out or --name");
        var source = DatasetCatalog.Default.Get(record.DatasetName());
        using var data = DatasetCatalog.Load(source, dataDirectory);
        var info = data.Info;
        if (record.Classes != info.Classes)
            throw new AntidoteException($"{record.Folder}: the record's model has {record.Classes} classes, {info.Name} has {info.Classes}");
        if (record.ImageSize[0] != info.Height || record.ImageSize[1] != info.Width || record.ImageSize[2] != info.Channels)
            throw new AntidoteException($"{record.Folder}: the record's images are {string.Join("x", record.ImageSize)} (H x W x C), " +
                                        $"{info.Name}'s are {info.Height}x{info.Width}x{info.Channels}; a resized record is not imported");

        var (mode, target) = LabelsOf(record, info.Classes);
        CheckAgainstTestSet(record, data.Test.LabelArray, new LabelPolicy(mode, target, info.Classes));
        var spec = new ModelSpec(record.ModelOptions(), info.Channels, info.Classes, info.Height, info.Width);
        spec.Validate();
        using var model = ModelCatalog.Create(spec);
        ModelCheckpoint.Load(model, record.Tensors, Path.Combine(record.Folder, BackdoorBenchRecord.ResultFile), new PyTorchZipFormat());
        var computeDevice = device ?? CPU;
        model.to(computeDevice);
        model.eval();

        var settings = new AttackSettings(target, (double)record.PoisonedTrainRows.Length / data.Train.Count, mode);
        string origin = $"backdoorbench:{Path.GetFileName(record.Folder)}";
        var config = new AttackRunConfig(info.Name, spec.Options, new RecordedOptions(origin), settings,
            TrainingSettings.BackdoorBenchAttack(0), Seed: 0, DataDirectory: dataDirectory is null ? null : Path.GetFullPath(dataDirectory), EvalEvery: 0);
        var plan = new PoisonPlan("recorded", mode, target, settings.PoisonRatio, 0, record.PoisonedTrainRows.Order().ToArray());

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"import: {record.Folder}: BackdoorBench {record.ModelName} ({ModelCatalog.NameOf(spec.Options)} {spec.Options}) on {record.CleanData}, " +
                 $"{record.TestImages.Count} triggered test images, {record.PoisonedTrainRows.Length} poisoned training rows, " +
                 $"{(mode == LabelMode.AllToOne ? $"all-to-one, target {target}" : "all-to-all")}");
        RunJson.Write(staging.File(RunFiles.Config), config);
        RunJson.Write(staging.File(RunFiles.PoisonPlan), plan);
        using (var recorded = new RecordedAttack(new AttackRequest(info, settings, config.Attack), (RecordedOptions)config.Attack))
        using (var scope = NewDisposeScope())
        {
            recorded.Record(ReadImages(record, info), record.TestImages.Select(i => i.Row).ToArray());
            recorded.SaveArtifacts(staging.Root);
        }
        // Measured as every later run will: the attack rebuilt from the folder's own files.
        using var rebuilt = AttackRun.Rebuild(config, info, staging.Root);
        using var testSet = new BackdoorTestSet(data.Test, rebuilt);
        using var pipeline = DataPipeline.For(info, computeDevice);
        var measured = testSet.Evaluate(model, pipeline);
        string own = record.Own is { } o ? $"; the record's own: ACC {o.Accuracy:P2} ASR {o.AttackSuccessRate:P2} RA {o.RobustAccuracy:P2}" : "; the record has no attack_df_summary.csv";
        log.Info($"import: measured here: ACC {measured.Accuracy:P2} ASR {measured.AttackSuccessRate:P2} RA {measured.RobustAccuracy:P2}{own}");

        RunModel.Save(staging.Root, model, new ModelCard(spec, info.Name, 0, "backdoorbench-record", ModelCard.Version, DateTime.UtcNow));
        var summary = new ImportSummary(record.Folder, origin, measured, record.Own, record.TestImages.Count, clock.Elapsed.TotalSeconds);
        RunJson.Write(staging.File(ImportFile), summary);
        RunJson.Write(staging.File(RunFiles.Summary), new AttackSummary("recorded", measured, record.PoisonedTrainRows.Length, 0));
        RunJson.Write(staging.File(RunFiles.Record), AttackExperiment.Record(config));
        staging.Commit();
        return summary;
    }

    /// <summary>All-to-one when every recorded target label is one class; all-to-all when each is the true label + 1 mod K.</summary>
    private static (LabelMode Mode, int Target) LabelsOf(BackdoorBenchRecord record, int classes)
    {
        var images = record.TestImages;
        if (images.Count == 0)
            throw new AntidoteException($"{record.Folder}: the record holds no triggered test images");
        if (images.Any(i => i.TargetLabel < 0 || i.TargetLabel >= classes || i.TrueLabel < 0 || i.TrueLabel >= classes))
            throw new AntidoteException($"{record.Folder}: a triggered test image has a label outside 0..{classes - 1}");
        if (images.All(i => i.TargetLabel == images[0].TargetLabel))
            return (LabelMode.AllToOne, images[0].TargetLabel);
        if (images.All(i => i.TargetLabel == (i.TrueLabel + 1) % classes))
            return (LabelMode.AllToAll, 0);
        throw new AntidoteException($"{record.Folder}: the triggered test images' target labels are neither one class nor the true label + 1 (all-to-all)");
    }

    private static void CheckAgainstTestSet(BackdoorBenchRecord record, int[] testLabels, LabelPolicy labels)
    {
        foreach (var image in record.TestImages)
        {
            if (image.Row >= testLabels.Length)
                throw new AntidoteException($"{record.Folder}: the record triggers test row {image.Row}, the test set has {testLabels.Length} rows; is --data the record's dataset?");
            if (testLabels[image.Row] != image.TrueLabel)
                throw new AntidoteException($"{record.Folder}: test row {image.Row} is class {testLabels[image.Row]} in the dataset, {image.TrueLabel} in the record; is --data the record's dataset?");
        }
        var recorded = record.TestImages.Select(i => i.Row).ToHashSet();
        int missing = Enumerable.Range(0, testLabels.Length).Count(r => labels.IsAttackable(testLabels[r]) && !recorded.Contains(r));
        if (missing > 0)
            throw new AntidoteException($"{record.Folder}: {missing} test rows the attack targets have no triggered image in the record (its bd_test is a subset)");
    }

    /// <summary>The recorded PNGs as uint8 [N, C, H, W], in the record's order.</summary>
    private static Tensor ReadImages(BackdoorBenchRecord record, DatasetInfo info)
    {
        int n = record.TestImages.Count, c = info.Channels, h = info.Height, w = info.Width;
        var bytes = new byte[(long)n * c * h * w];
        for (int i = 0; i < n; i++)
        {
            string png = record.TestImages[i].Png;
            if (!File.Exists(png))
                throw new AntidoteException($"{record.Folder}: the triggered image {png} is missing");
            using var bitmap = ImageFile.Decode(png, out _);
            if (bitmap.Width != w || bitmap.Height != h)
                throw new AntidoteException($"{png}: {bitmap.Width}x{bitmap.Height} pixels, the dataset's images are {w}x{h}");
            var rgba = bitmap.GetPixelSpan();
            long at = (long)i * c * h * w;
            for (int k = 0; k < c; k++)
                for (int p = 0; p < h * w; p++)
                    bytes[at + k * h * w + p] = rgba[4 * p + (c == 1 ? 0 : k)];
        }
        var images = empty([n, c, h, w], ScalarType.Byte);
        images.bytes = bytes;
        return images;
    }
}
