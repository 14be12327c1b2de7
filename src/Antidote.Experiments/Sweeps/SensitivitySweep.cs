using System.Globalization;
using Antidote.Attacks;
using Antidote.Core.Logging;
using Antidote.Experiments.Results;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// Runs (or resumes) a sweep over any defenses: a finished run folder whose run record has the hash of the run asked for is
/// reused, so an interrupted sweep picks up where it stopped. Each run loads, trains and disposes its own models, so memory
/// does not pile up over cells. Results go to the sink (results.csv/json) and the tables are rewritten after every run.
/// </summary>
public static class SensitivitySweep
{
    /// <summary>A sweep's attack run folder: {attack}-{dataset}-{model}-s0, labels made folder-safe.</summary>
    public static string AttackRunName(string attack, string dataset, string model) => $"{Safe(attack)}-{dataset}-{Safe(model)}-s0";

    /// <summary>A sweep's defense run folder: {attack run}--{variant}-r{clean ratio}-s{seed}, beside the attack run.</summary>
    public static string RunName(string attackRun, string variant, double cleanRatio, long seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{attackRun}--{Safe(variant)}-r{cleanRatio}-s{seed}");

    public static IReadOnlyList<SweepRow> Run(SweepSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var rows = new List<SweepRow>();
        var sink = new ResultFiles(settings.Out);
        int total = settings.Models.Count * settings.Attacks.Count * settings.CleanRatios.Count * settings.Variants.Count * settings.Seeds.Count, done = 0;
        foreach (var model in settings.Models)
            foreach (var attack in settings.Attacks)
            {
                var attackConfig = new AttackRunConfig(settings.Dataset, model.Options, attack.Options, new AttackSettings(),
                    TrainingSettings.BackdoorBenchAttack(settings.AttackEpochs), Seed: 0,
                    DataDirectory: settings.DataDirectory, EvalEvery: 0, Compute: settings.Compute);
                var attackTags = new Dictionary<string, string> { ["model"] = model.Label, ["attack"] = attack.Label };
                var attackLocation = new RunLocation(settings.Out, AttackRunName(attack.Label, settings.Dataset, model.Label));
                if (!IsFinished(attackLocation, AttackExperiment.Record(attackConfig).OptionsHash))
                {
                    log.Info($"sweep: training {attackLocation.Name}");
                    var attackSummary = AttackExperiment.Run(attackConfig, attackLocation with { Force = true }, log, cancel, attackTags);
                    sink.Add(new ResultRow(AttackExperiment.Record(attackConfig, attackTags), attackLocation.Name, null, attackSummary.Result, null, attackSummary.Seconds));
                }
                var attackRecord = RunRecord.TryRead(attackLocation.Path)!;
                foreach (double cleanRatio in settings.CleanRatios)
                    foreach (var variant in settings.Variants)
                        foreach (long seed in settings.Seeds)
                        {
                            var config = new DefenseRunConfig(attackLocation.Path, variant.Options, cleanRatio, seed, settings.DataDirectory, Compute: settings.Compute);
                            var location = new RunLocation(settings.Out, RunName(attackLocation.Name, variant.Label, cleanRatio, seed), Force: true);
                            var tags = new Dictionary<string, string>(attackTags) { ["variant"] = variant.Label };
                            var wanted = DefenseExperiment.Record(config with { From = Path.GetRelativePath(location.Path, attackLocation.Path) }, attackRecord, tags);
                            log.Info($"sweep [{++done}/{total}]: {location.Name}");
                            var summary = IsFinished(location, wanted.OptionsHash)
                                ? RunJson.Read<DefenseSummary>(Path.Combine(location.Path, RunFiles.Summary))
                                : DefenseExperiment.Run(config, location, log, cancel, tags);
                            rows.Add(new SweepRow(model.Label, attack.Label, variant.Label, seed, summary));
                            sink.Add(new ResultRow(wanted, location.Name, summary.Before, summary.After, summary.DefenseEffectiveness, summary.Seconds,
                                summary.CleanSamples, summary.Epochs, summary.Facts));
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

    /// <summary>A run folder counts as done only if it finished (summary written) as the run asked for now (same hash).</summary>
    private static bool IsFinished(RunLocation location, string optionsHash) =>
        File.Exists(Path.Combine(location.Path, RunFiles.Summary)) && RunRecord.TryRead(location.Path)?.OptionsHash == optionsHash;

    private static string Safe(string label) => label.Replace("=", "").Replace('+', '-').Replace(':', '-').Replace('/', '-');
}
