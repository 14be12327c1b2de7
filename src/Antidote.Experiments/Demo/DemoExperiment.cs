using Antidote.Attacks;
using Antidote.Core.Logging;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Demo;

/// <summary>Plants a BadNets backdoor, removes it with FT and with D3, and returns the comparison.</summary>
public static class DemoExperiment
{
    public static IReadOnlyList<DemoRow> Run(DemoSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var attackConfig = new AttackRunConfig(
            Dataset: "fashion-mnist", Model: settings.Model, Attack: "badnets",
            Settings: new AttackSettings(Target: 0, PoisonRatio: 0.1),
            Training: TrainingSettings.BackdoorBenchAttack(settings.AttackEpochsToRun),
            Seed: settings.Seed, DataDirectory: settings.DataDirectory, EvalEvery: 0, Compute: settings.Compute);
        var attackLocation = new RunLocation(settings.Out, AttackExperiment.DefaultName(attackConfig), Force: true);
        log.Info($"[1/3] training a backdoored {settings.Model} (BadNets, 10% poisoning, {settings.AttackEpochsToRun} epochs)");
        var attack = AttackExperiment.Run(attackConfig, attackLocation, log, cancel);

        var rows = new List<DemoRow> { new("No defense", attack.Result, null, attack.Seconds) };
        var options = new DefenseOptions(
            D3: settings.D3ToRun,
            FineTuning: new FineTuningOptions(Epochs: settings.DefenseEpochsToRun));
        var d3 = settings.D3OrDefault;
        string d3Label = d3.LambdaMode == LambdaMode.Dual ? "D3 (dual λ)" : $"D3 (λ {d3.Lambda})";
        foreach (var (step, method, label) in new[] { (2, "ft", "FT"), (3, "d3", d3Label) })
        {
            log.Info($"[{step}/3] defending with {label} on 5% clean data ({settings.DefenseEpochsToRun} epochs)");
            var config = new DefenseRunConfig(attackLocation.Path, method, options, CleanRatio: 0.05, Seed: settings.Seed,
                DataDirectory: settings.DataDirectory, Compute: settings.Compute);
            var summary = DefenseExperiment.Run(config, DefenseExperiment.DefaultLocation(config, force: true), log, cancel);
            rows.Add(new DemoRow(label, summary.After, summary.DefenseEffectiveness, summary.Seconds));
        }
        return rows;
    }
}
