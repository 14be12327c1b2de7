using System.Globalization;
using Antidote.Attacks;
using Antidote.Core.Logging;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// Runs (or resumes) a sweep: a finished run folder is reused, so an interrupted sweep picks up where it stopped.
/// The tables are rewritten after every run.
/// </summary>
public static class SensitivitySweep
{
    /// <summary>A sweep's defense run folder: {attack run}--{variant}-r{clean ratio}-s{seed}, beside the attack run.</summary>
    public static string RunName(string attackRun, string variant, double cleanRatio, long seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{attackRun}--{variant}-r{cleanRatio}-s{seed}");

    public static IReadOnlyList<SweepRow> Run(SweepSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var rows = new List<SweepRow>();
        int total = settings.Models.Count * settings.Attacks.Count * settings.CleanRatios.Count * settings.Variants.Count * settings.Seeds.Count, done = 0;
        foreach (string model in settings.Models)
            foreach (string attack in settings.Attacks)
            {
                var attackConfig = new AttackRunConfig(settings.Dataset, model, attack, new AttackSettings(),
                    TrainingSettings.BackdoorBenchAttack(settings.AttackEpochs), Seed: 0, Width: settings.Widths is { } widths && widths.TryGetValue(model, out int width) ? width : null,
                    DataDirectory: settings.DataDirectory, TriggerImage: AttackCatalog.Default.Get(attack).UsesTriggerImage ? settings.TriggerImage : null,
                    EvalEvery: 0, Compute: settings.Compute);
                var attackLocation = new RunLocation(settings.Out, AttackExperiment.DefaultName(attackConfig));
                if (!IsFinished(attackLocation, attackConfig, SameAttack))
                {
                    log.Info($"sweep: training {attackLocation.Name}");
                    AttackExperiment.Run(attackConfig, attackLocation with { Force = true }, log, cancel);
                }
                foreach (double cleanRatio in settings.CleanRatios)
                    foreach (var variant in settings.Variants)
                        foreach (long seed in settings.Seeds)
                        {
                            var config = new DefenseRunConfig(attackLocation.Path, variant.Method, variant.Options,
                                cleanRatio, seed, settings.DataDirectory, Compute: settings.Compute);
                            var location = new RunLocation(settings.Out, RunName(attackLocation.Name, variant.Label, cleanRatio, seed), Force: true);
                            log.Info($"sweep [{++done}/{total}]: {location.Name}");
                            var summary = IsFinished(location, config, SameDefense)
                                ? RunJson.Read<DefenseSummary>(Path.Combine(location.Path, RunFiles.Summary))
                                : DefenseExperiment.Run(config, location, log, cancel);
                            rows.Add(new SweepRow(model, attack, variant.Label, seed, summary));
                            SweepReport.Write(settings, Table(settings.Out, rows, log));
                        }
            }
        return rows;
    }

    /// <summary>This invocation's rows and every other finished run in the folder, in one stable order.</summary>
    private static List<SweepRow> Table(string folder, List<SweepRow> rows, IRunLog log) =>
        rows.Concat(FinishedSweepRuns.In(folder, log).Where(found => !rows.Any(row => SameCell(row, found))))
            .OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Attack, StringComparer.Ordinal).ThenBy(r => r.CleanSamples)
            .ThenBy(r => r.Variant, StringComparer.Ordinal).ThenBy(r => r.Seed)
            .ToList();

    private static bool SameCell(SweepRow a, SweepRow b) =>
        a.Model == b.Model && a.Attack == b.Attack && a.CleanSamples == b.CleanSamples && a.Variant == b.Variant && a.Seed == b.Seed;

    /// <summary>A run folder counts as done only if it finished with the settings asked for now.</summary>
    private static bool IsFinished<T>(RunLocation location, T wanted, Func<T, T, bool> same) =>
        File.Exists(Path.Combine(location.Path, RunFiles.Summary))
        && same(RunJson.Read<T>(Path.Combine(location.Path, RunFiles.Config)), wanted);

    // Where the data lives, how many threads trained and how often the test set was scored do not change the model;
    // a trigger left to its defaults is the same trigger as those defaults spelled out (the attack command spells them).
    private static bool SameAttack(AttackRunConfig saved, AttackRunConfig wanted) => Comparable(saved) == Comparable(wanted);

    private static AttackRunConfig Comparable(AttackRunConfig config) => config with
    {
        Settings = config.Settings with { Trigger = config.Settings.TriggerOrDefault },
        DataDirectory = null, Compute = null, EvalEvery = 0,
    };

    // Where the attack run lives and how many threads ran it do not change what a defense run means.
    private static bool SameDefense(DefenseRunConfig saved, DefenseRunConfig wanted) =>
        saved.Method == wanted.Method && saved.Options.Resolved() == wanted.Options.Resolved()
        && saved.CleanRatio == wanted.CleanRatio && saved.Seed == wanted.Seed;
}
