using TorchSharp;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Experiments;

/// <summary>`antidote attack`: poison the training set, train a model on it, and write the run folder.</summary>
public static class AttackExperiment
{
    /// <summary>The run folder's name; bfloat16 runs get their own (<see cref="RunArithmetic"/>).</summary>
    public static string DefaultName(AttackRunConfig c) => $"{c.AttackName}-{c.Dataset}-{c.ModelName}-s{c.Seed}{RunArithmetic.FolderSuffix(c.Compute)}";

    /// <param name="tags">Names for what this run stands for (a sweep's model and attack), kept in its run record.</param>
    public static AttackSummary Run(AttackRunConfig config, RunLocation location, IRunLog console, CancellationToken cancel = default,
        IReadOnlyDictionary<string, string>? tags = null)
    {
        var stages = new StageClock();
        var compute = config.Compute ?? new ComputeSettings();
        string computeState = compute.Apply();
        var source = DatasetCatalog.Default.Get(config.Dataset);
        using var data = DatasetCatalog.Load(source, config.DataDirectory);
        if (config.Settings.Target >= data.Info.Classes)
            throw new AntidoteException($"--target must be a label of {data.Info.Name} (0..{data.Info.Classes - 1}), got {config.Settings.Target}");
        var spec = new ModelSpec(config.Model, data.Info.Channels, data.Info.Classes, data.Info.Height, data.Info.Width);
        spec.Validate();
        using var pipeline = DataPipeline.For(data.Info, compute.TorchDevice, precision: compute.Precision);
        ImageClassifier CreateModel() { var m = ModelCatalog.Create(spec); m.to(compute.TorchDevice); return m; }

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"compute: {computeState}");
        using var attack = AttackCatalog.Default.Get(config.AttackName).Create(new AttackRequest(data.Info, config.Settings, config.Attack));
        stages.Lap("data");
        attack.Prepare(new AttackPreparation(data.Train, CreateModel, pipeline, config.Seed, log, cancel, CleanModelCache(location)));
        stages.Lap("trigger");
        var plan = attack.Plan(data.Train.LabelArray, config.Settings, config.Seed);
        using var poisoned = PoisonedData.Training(data.Train, attack, plan);
        log.Info($"attack {attack.Name} on {data.Info.Name}: {plan.Describe(data.Train.Count)}, target {plan.Target} ({(plan.LabelMode == LabelMode.AllToOne ? "all-to-one" : "all-to-all")})");
        RunJson.Write(staging.File(RunFiles.Config), config);
        RunJson.Write(staging.File(RunFiles.PoisonPlan), plan);
        // Scores during training use the attack as it stands; a trigger that trains with the victim is remade for each score.
        var trainingTestSet = config.EvalEvery > 0 ? new BackdoorTestSet(data.Test, attack) : null;

        Seeds.SeedTorch(config.Seed, "init");
        using var model = CreateModel();
        stages.Lap("poison");
        Seeds.SeedTorch(config.Seed, "augment");
        List<EpochRecord> epochs;
        try
        {
            epochs = Trainer.Train(model, poisoned, pipeline, config.Training, attack.TrainingObjective(poisoned) ?? new CrossEntropyObjective(),
                Seeds.Stream(config.Seed, "order"), log, "attack",
                record =>
                {
                    if (trainingTestSet is null || record.Epoch % config.EvalEvery != 0) return;
                    if (attack.TriggerLearnsWithVictim)
                    {
                        trainingTestSet.Dispose();
                        trainingTestSet = new BackdoorTestSet(data.Test, attack);
                    }
                    trainingTestSet.AddTo(record, model, pipeline);
                }, cancel);
        }
        finally
        {
            trainingTestSet?.Dispose();
        }
        double seconds = stages.Lap("train");
        attack.TrainingFinished(model);
        attack.SaveArtifacts(staging.Root);
        // The run's metrics come from the attack rebuilt from what it saved, as every defense and `eval` will rebuild it.
        using var rebuilt = AttackRun.Rebuild(config, data.Info, staging.Root);
        using var testSet = new BackdoorTestSet(data.Test, rebuilt);
        var result = testSet.Evaluate(model, pipeline);
        stages.Lap("evaluate");
        log.Info($"attack done in {seconds:F0}s: ACC {result.Accuracy:P2} ASR {result.AttackSuccessRate:P2} RA {result.RobustAccuracy:P2}");

        RunModel.Save(staging.Root, model, new ModelCard(spec, data.Info.Name, config.Seed, "attack", ModelCard.Version, DateTime.UtcNow));
        EpochTable.Write(staging.Root, epochs);
        RunJson.Write(staging.File(RunFiles.Record), Record(config, tags));
        stages.Lap("save");
        var summary = new AttackSummary(attack.Name, result, plan.Indices.Length, seconds, stages.Stages);
        log.Info($"attack stages: {StageClock.Describe(summary.Stages!)}");
        RunJson.Write(staging.File(RunFiles.Summary), summary);
        staging.Commit();
        return summary;
    }

    /// <summary>The clean models attacks train (LF, TrojanNN, label-consistent) are kept beside the run folders, so that every
    /// run under one output folder with the same settings shares them.</summary>
    public static string CleanModelCache(RunLocation location) => Path.Combine(location.Parent, ".clean-models");

    /// <summary>What the run is. Where the data lives, the threads and how often the test set is scored do not change the
    /// model, so they are not part of its hash.</summary>
    public static RunRecord Record(AttackRunConfig config, IReadOnlyDictionary<string, string>? tags = null) =>
        new(RunRecord.AttackKind, null, config.Dataset, config.ModelName, config.AttackName, null,
            RunArithmetic.Hash(RunRecord.Hash(config with { DataDirectory = null, Compute = null, EvalEvery = 0 }), config.Compute),
            config.Seed, Tags: tags);
}
