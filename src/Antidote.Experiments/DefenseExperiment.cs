using TorchSharp;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Defenses;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Experiments;

/// <summary>
/// `antidote defend`: load an attack run's model, give the defense a seeded clean subset (and nothing else),
/// measure before and after on the test sets, and write the defense's own run folder beside the attack's.
/// </summary>
public static class DefenseExperiment
{
    public static RunLocation DefaultLocation(DefenseRunConfig c, bool force = false)
    {
        string from = Path.GetFullPath(c.From).TrimEnd(Path.DirectorySeparatorChar);
        return new RunLocation(Path.GetDirectoryName(from)!, $"{Path.GetFileName(from)}--{c.Method}-s{c.Seed}{RunArithmetic.FolderSuffix(c.Compute)}", force);
    }

    /// <param name="tags">Names for what this run stands for (a sweep's model, attack and variant), kept in its run record.</param>
    public static DefenseSummary Run(DefenseRunConfig config, RunLocation location, IRunLog console, CancellationToken cancel = default,
        IReadOnlyDictionary<string, string>? tags = null)
    {
        var stages = new StageClock();
        var compute = config.Compute ?? new ComputeSettings();
        string computeState = compute.Apply();
        var defenseEntry = DefenseCatalog.Default.Get(config.Method);
        var attackRun = AttackRun.Open(config.From);
        if (FolderPath.IsInside(attackRun.Path, location.Path) || FolderPath.IsInside(location.Path, attackRun.Path))
            throw new AntidoteException($"the defense's run folder {location.Path} would replace or sit inside the run it defends ({attackRun.Path}): choose another --out or --name");
        using var data = attackRun.LoadData(config.DataDirectory);
        using var attack = attackRun.CreateAttack(data.Info);
        using var testSet = new BackdoorTestSet(data.Test, attack);
        var (model, card) = RunModel.Load(attackRun.Path, compute.TorchDevice);
        using var _model = model;
        using var pipeline = DataPipeline.For(data.Info, compute.TorchDevice, precision: compute.Precision);

        long[] cleanIndices = CleanSubset(data.Train.Count, config.CleanRatio, config.Seed);
        using var cleanData = data.Train.Subset(cleanIndices);

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"compute: {computeState}");
        // The attack run is named relative to this one (the tree can move); field-dependent defaults are written out, so
        // config.json says which learning rate and warm-up ran.
        var saved = config with { From = Path.GetRelativePath(location.Path, attackRun.Path), Options = config.Options.Resolved() };
        RunJson.Write(staging.File(RunFiles.Config), saved);
        RunJson.Write(staging.File(RunFiles.CleanIndices), cleanIndices);
        // The attack run scored this very model on this very test set when it finished.
        var before = attackRun.Summary?.Result ?? testSet.Evaluate(model, pipeline);
        log.Info($"{config.Method} on {Path.GetFileName(attackRun.Path)} with {cleanData.Count} clean samples; before: ACC {before.Accuracy:P2} ASR {before.AttackSuccessRate:P2} RA {before.RobustAccuracy:P2}");

        var context = new DefenseContext(model, cleanData,
            norm => { var m = ModelCatalog.Create(card.Spec, norm); m.to(compute.TorchDevice); return m; },
            pipeline, config.Seed, log,
            (record, current) =>
            {
                if (config.EvalEvery > 0 && record.Epoch % config.EvalEvery == 0)
                    testSet.AddTo(record, current, pipeline);
            }, cancel);
        stages.Lap("data");
        var outcome = defenseEntry.Create(config.Options).Run(context);
        using var defended = outcome.Model;
        double seconds = stages.Lap("defend");
        var after = testSet.Evaluate(defended, pipeline);
        stages.Lap("evaluate");
        double der = after.DefenseEffectivenessAgainst(before);
        log.Info($"{config.Method} done in {seconds:F0}s: ACC {after.Accuracy:P2} ASR {after.AttackSuccessRate:P2} RA {after.RobustAccuracy:P2} DER {der:P2}");

        RunModel.Save(staging.Root, defended, card with { Seed = config.Seed, Stage = config.Method, AntidoteVersion = ModelCard.Version, CreatedUtc = DateTime.UtcNow });
        EpochTable.Write(staging.Root, outcome.Epochs);
        var attackRecord = RunRecord.TryRead(attackRun.Path) ?? AttackExperiment.Record(attackRun.Config);
        RunJson.Write(staging.File(RunFiles.Record), Record(saved, attackRecord, tags));
        stages.Lap("save");
        var summary = new DefenseSummary(config.Method, before, after, der, seconds, cleanData.Count, outcome.Epochs.Count, outcome.Facts, stages.Stages);
        log.Info($"{config.Method} stages: {StageClock.Describe(summary.Stages!)}");
        RunJson.Write(staging.File(RunFiles.Summary), summary);
        staging.Commit();
        return summary;
    }

    /// <summary>What the run is: its attack run (relative), the method and a hash of what defines it (options, clean ratio,
    /// seed, the attack run's own hash; not where the data lives or how many threads ran it).</summary>
    public static RunRecord Record(DefenseRunConfig saved, RunRecord attack, IReadOnlyDictionary<string, string>? tags = null) =>
        new(RunRecord.DefenseKind, saved.From, attack.Dataset, attack.Model, attack.Attack, saved.Method,
            RunArithmetic.Hash(RunRecord.Hash(new DefenseIdentity(attack.OptionsHash, saved.Options.Resolved(), saved.CleanRatio, saved.Seed)),
                saved.Compute),
            saved.Seed, saved.CleanRatio, tags);

    private sealed record DefenseIdentity(string AttackHash, IDefenseOptions Options, double CleanRatio, long Seed);

    /// <summary>The defender's clean rows: round(ratio × N) of the clean training set, drawn with the seed.</summary>
    public static long[] CleanSubset(int count, double ratio, long seed)
    {
        int n = (int)Math.Round(ratio * count);
        if (n < 1)
            throw new AntidoteException($"clean ratio {ratio} of {count} training samples leaves no clean data");
        var rows = Seeds.ShuffledRows(count, seed, "clean-subset");
        var chosen = rows[..n];
        Array.Sort(chosen);
        return chosen;
    }
}
