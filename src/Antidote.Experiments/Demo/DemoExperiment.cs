using Antidote.Attacks;
using Antidote.Attacks.BadNets;
using Antidote.Core.Logging;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Experiments.Results;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Demo;

/// <summary>Plants a BadNets backdoor, removes it with FT and with D3, and returns the comparison.</summary>
public static class DemoExperiment
{
    public static IReadOnlyList<DemoRow> Run(DemoSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var sink = new ResultFiles(settings.Out);
        var attackConfig = new AttackRunConfig(
            Dataset: "fashion-mnist", Model: settings.ModelOrDefault, Attack: new BadNetsOptions(),
            Settings: new AttackSettings(Target: 0, PoisonRatio: 0.1),
            Training: TrainingSettings.BackdoorBenchAttack(settings.AttackEpochsToRun),
            Seed: settings.Seed, DataDirectory: settings.DataDirectory, EvalEvery: 0, Compute: settings.Compute);
        var attackLocation = new RunLocation(settings.Out, AttackExperiment.DefaultName(attackConfig), Force: true);
        log.Info($"[1/3] training a backdoored {attackConfig.ModelName} (BadNets, 10% poisoning, {settings.AttackEpochsToRun} epochs)");
        var attack = AttackExperiment.Run(attackConfig, attackLocation, log, cancel);
        var attackRecord = AttackExperiment.Record(attackConfig);
        sink.Add(new ResultRow(attackRecord, attackLocation.Name, null, attack.Result, null, attack.Seconds));

        var rows = new List<DemoRow> { new("No defense", attack.Result, null, attack.Seconds, attack.Stages) };
        var d3 = settings.D3ToRun;
        string d3Label = d3.LambdaMode == LambdaMode.Dual ? "D3 (dual λ)" : $"D3 (λ {d3.Lambda})";
        foreach (var (step, options, label, epochs) in new (int, IDefenseOptions, string, int)[]
                 { (2, settings.FineTuningToRun, "FT", settings.FineTuningToRun.Epochs), (3, d3, d3Label, d3.Epochs) })
        {
            log.Info($"[{step}/3] defending with {label} on 5% clean data ({epochs} epochs)");
            var config = new DefenseRunConfig(attackLocation.Path, options, CleanRatio: 0.05, Seed: settings.Seed,
                DataDirectory: settings.DataDirectory, Compute: settings.Compute);
            var location = DefenseExperiment.DefaultLocation(config, force: true);
            var summary = DefenseExperiment.Run(config, location, log, cancel);
            var record = RunRecord.TryRead(location.Path)!;
            sink.Add(new ResultRow(record, location.Name, summary.Before, summary.After, summary.DefenseEffectiveness, summary.Seconds,
                summary.CleanSamples, summary.Epochs, summary.Facts));
            rows.Add(new DemoRow(label, summary.After, summary.DefenseEffectiveness, summary.Seconds, summary.Stages));
        }
        return rows;
    }
}
