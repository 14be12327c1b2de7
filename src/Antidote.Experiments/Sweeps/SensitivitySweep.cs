using Antidote.Attacks;
using Antidote.Core.Logging;
using Antidote.Defenses;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// Runs (or resumes) a sweep: a finished run folder is reused, so an interrupted sweep picks up where it stopped.
/// The tables are rewritten after every run.
/// </summary>
public static class SensitivitySweep
{
    public static IReadOnlyList<SweepRow> Run(SweepSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var rows = new List<SweepRow>();
        int total = settings.Models.Count * settings.Attacks.Count * settings.Variants.Count * settings.Seeds.Count, done = 0;
        foreach (string model in settings.Models)
            foreach (string attack in settings.Attacks)
            {
                var attackConfig = new AttackRunConfig(settings.Dataset, model, attack, new AttackSettings(),
                    new TrainingSettings(settings.AttackEpochs, 0.01, 128), Seed: 0, Width: settings.Widths is { } widths && widths.TryGetValue(model, out int width) ? width : null,
                    DataDirectory: settings.DataDirectory, EvalEvery: 0, Compute: settings.Compute);
                var attackLocation = new RunLocation(settings.Out, AttackExperiment.DefaultName(attackConfig));
                if (!File.Exists(Path.Combine(attackLocation.Path, RunFiles.Summary)))
                {
                    log.Info($"sweep: training {attackLocation.Name}");
                    AttackExperiment.Run(attackConfig, attackLocation with { Force = true }, log, cancel);
                }
                foreach (var variant in settings.Variants)
                    foreach (long seed in settings.Seeds)
                    {
                        var config = new DefenseRunConfig(attackLocation.Path, "d3", new DefenseOptions(D3: variant.Options),
                            settings.CleanRatio, seed, settings.DataDirectory, Compute: settings.Compute);
                        var location = new RunLocation(settings.Out, $"{attackLocation.Name}--d3-{variant.Label}-s{seed}", Force: true);
                        string summaryPath = Path.Combine(location.Path, RunFiles.Summary);
                        log.Info($"sweep [{++done}/{total}]: {location.Name}");
                        var summary = File.Exists(summaryPath)
                            ? RunJson.Read<DefenseSummary>(summaryPath)
                            : DefenseExperiment.Run(config, location, log, cancel);
                        rows.Add(new SweepRow(model, attack, variant.Label, seed, summary));
                        SweepReport.Write(settings, rows);
                    }
            }
        return rows;
    }
}
