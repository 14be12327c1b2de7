using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Metrics;
using Antidote.Core.Runtime;
using Antidote.Defenses;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Scan;

/// <summary>
/// `antidote scan`: Neural Cleanse's trigger reconstruction on a run folder's model (attack or defense), from the defender's
/// clean rows only, with each trigger's success on held-out clean rows and a plain verdict. Writes its own folder beside the
/// run: config, scan.json, triggers.png, log.
/// </summary>
public static class ScanExperiment
{
    public const string ReportFile = "scan.json", TriggersFile = "triggers.png", TriggersBeforeFile = "triggers-before.png";

    public static RunLocation DefaultLocation(ScanSettings s, bool force = false)
    {
        string run = Path.GetFullPath(s.Run).TrimEnd(Path.DirectorySeparatorChar);
        return new RunLocation(Path.GetDirectoryName(run)!, $"{Path.GetFileName(run)}--scan-s{s.Seed}", force);
    }

    public static ScanSummary Run(ScanSettings settings, RunLocation location, IRunLog console, CancellationToken cancel = default)
    {
        var compute = settings.Compute ?? new ComputeSettings();
        string computeState = compute.Apply();
        var target = ScanTarget.Open(settings.Run);
        if (settings.CompareInput && target.CleanRows is null)
            throw new Core.AntidoteException($"{target.Path} is an attack run: --compare-input scans a defense run and the model it started from");
        using var data = target.AttackRun.LoadData(settings.DataDirectory);
        var (model, _) = RunModel.Load(target.Path, compute.TorchDevice);
        using var _model = model;
        using var pipeline = DataPipeline.For(data.Info, compute.TorchDevice);
        long[] cleanRows = target.CleanRows ?? DefenseExperiment.CleanSubset(data.Train.Count, settings.CleanRatio, settings.Seed);
        using var clean = data.Train.Subset(cleanRows);
        using var holdout = CleanHoldout.Split(clean, settings.Holdout, settings.Seed, "scan-holdout", "scan");

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"compute: {computeState}");
        log.Info($"scan: {target.Path}: searching with {holdout.Learn.Count} clean images, {holdout.Held.Count} held out");
        RunJson.Write(staging.File(RunFiles.Config), settings);
        ScanReport? before = null;
        if (settings.CompareInput)
        {
            var (input, _) = RunModel.Load(target.AttackRun.Path, compute.TorchDevice);
            using var _input = input;
            log.Info($"scan: first the model the defense started from, {target.AttackRun.Path}");
            before = ScanAndDraw(input, holdout, pipeline, data.Info.Classes, settings, staging.File(TriggersBeforeFile), log, cancel);
            log.Info($"scan: then the defended model");
        }
        var report = ScanAndDraw(model, holdout, pipeline, data.Info.Classes, settings, staging.File(TriggersFile), log, cancel);
        var survival = before is null ? null : ScanComparison.Of(before, report, settings.SurvivalOrDefault);
        if (survival is not null) log.Info($"scan: {survival.Verdict}");
        var summary = new ScanSummary(report, target.Measured, holdout.Learn.Count, before, survival);
        RunJson.Write(staging.File(ReportFile), summary);
        staging.Commit();
        return summary;
    }

    private static ScanReport ScanAndDraw(Models.ImageClassifier model, CleanHoldout holdout, DataPipeline pipeline, int classes,
        ScanSettings settings, string png, IRunLog log, CancellationToken cancel)
    {
        var (report, triggers) = TriggerScan.Run(model, holdout.Learn, holdout.Held, pipeline, classes, settings.Search, settings.Seed, log, cancel);
        try
        {
            TriggerGrid.Write(png, triggers);
        }
        finally
        {
            foreach (var trigger in triggers) trigger.Dispose();
        }
        return report;
    }

    /// <summary>The run scanned: its folder, the attack run holding its data, the defender's rows a defense run used, and
    /// what the run measured with the real trigger.</summary>
    private sealed record ScanTarget(string Path, AttackRun AttackRun, long[]? CleanRows, EvaluationResult? Measured)
    {
        public static ScanTarget Open(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            if (File.Exists(System.IO.Path.Combine(full, RunFiles.PoisonPlan)))
            {
                var attack = AttackRun.Open(full);
                return new ScanTarget(full, attack, null, attack.Summary?.Result);
            }
            string configPath = System.IO.Path.Combine(full, RunFiles.Config);
            if (!File.Exists(configPath))
                throw new Core.AntidoteException($"{full} is not a run folder: {RunFiles.Config} is missing");
            var config = RunJson.Read<DefenseRunConfig>(configPath);
            var attackRun = AttackRun.Open(System.IO.Path.Combine(full, config.From));
            string indices = System.IO.Path.Combine(full, RunFiles.CleanIndices);
            string summary = System.IO.Path.Combine(full, RunFiles.Summary);
            return new ScanTarget(full, attackRun, File.Exists(indices) ? RunJson.Read<long[]>(indices) : null,
                File.Exists(summary) ? RunJson.Read<DefenseSummary>(summary).After : null);
        }
    }
}
