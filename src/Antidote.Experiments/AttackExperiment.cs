using TorchSharp;
using System.Diagnostics;
using Antidote.Attacks;
using Antidote.Attacks.Blended;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Logging;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Experiments;

/// <summary>`antidote attack`: poison the training set, train a model on it, and write the run folder.</summary>
public static class AttackExperiment
{
    public static string DefaultName(AttackRunConfig c) => $"{c.Attack}-{c.Dataset}-{c.Model}-s{c.Seed}";

    public static AttackSummary Run(AttackRunConfig config, RunLocation location, IRunLog console, CancellationToken cancel = default)
    {
        var compute = config.Compute ?? new ComputeSettings();
        compute.Apply();
        var source = DatasetCatalog.Default.Get(config.Dataset);
        var modelEntry = ModelCatalog.Default.Get(config.Model);
        var attackEntry = AttackCatalog.Default.Get(config.Attack);
        using var data = DatasetCatalog.Load(source, config.DataDirectory);
        using var triggerImage = config.TriggerImage is null ? null : PngImage.Read(config.TriggerImage);
        var attack = attackEntry.Create(new AttackRequest(data.Info, config.Settings, triggerImage));
        var plan = PoisonPlanner.Plan(attack, data.Train.LabelArray, config.Settings, config.Seed);
        using var poisoned = PoisonedData.Training(data.Train, attack, plan);
        using var testSet = new BackdoorTestSet(data.Test, attack);

        using var staging = new StagingDirectory(location.Path, location.Force);
        var log = new TeeRunLog(console, new FileRunLog(staging.File(RunFiles.Log)));
        log.Info($"attack {attack.Name} on {data.Info.Name}: {plan.Indices.Length} of {data.Train.Count} training images poisoned, target {plan.Target} ({(plan.LabelMode == LabelMode.AllToOne ? "all-to-one" : "all-to-all")})");
        RunJson.Write(staging.File(RunFiles.Config), config);
        RunJson.Write(staging.File(RunFiles.PoisonPlan), plan);
        if (attack is BlendedAttack blended)
            PngImage.Write(staging.File(RunFiles.Trigger), blended.Trigger);

        var spec = new ModelSpec(modelEntry.Name, data.Info.Channels, data.Info.Classes, data.Info.Height, data.Info.Width, config.Width ?? modelEntry.DefaultWidth);
        Seeds.SeedTorch(config.Seed, "init");
        var model = ModelCatalog.Create(spec);
        model.to(compute.TorchDevice);
        using var pipeline = DataPipeline.For(data.Info, compute.TorchDevice);
        var clock = Stopwatch.StartNew();
        Seeds.SeedTorch(config.Seed, "augment");
        var epochs = Trainer.Train(model, poisoned, pipeline, config.Training, new CrossEntropyObjective(),
            Seeds.Stream(config.Seed, "order"), log, "attack",
            record =>
            {
                if (config.EvalEvery > 0 && record.Epoch % config.EvalEvery == 0)
                    testSet.AddTo(record, model, pipeline);
            }, cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        var result = testSet.Evaluate(model, pipeline);
        log.Info($"attack done in {seconds:F0}s: ACC {result.Accuracy:P2} ASR {result.AttackSuccessRate:P2} RA {result.RobustAccuracy:P2}");

        RunModel.Save(staging.Root, model, new ModelCard(spec, data.Info.Name, config.Seed, "attack", ModelCard.Version, DateTime.UtcNow));
        EpochTable.Write(staging.Root, epochs);
        var summary = new AttackSummary(attack.Name, result, plan.Indices.Length, seconds);
        RunJson.Write(staging.File(RunFiles.Summary), summary);
        staging.Commit();
        return summary;
    }
}
