using System.Diagnostics;
using System.Globalization;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Experiments.Results;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// Runs (or resumes) a sweep over any defenses: a finished run folder whose run record has the hash of the run asked for is
/// reused, so an interrupted sweep (even by kill -9: run folders appear only whole) picks up where it stopped. Several
/// processes may share the folder (shards, or two sweeps started by hand): each run is made under a file lock, so a
/// backdoored model several defense runs need is trained once and nothing runs twice. Each run loads, trains and disposes
/// its own models, so memory does not pile up over cells. Results go to the store and to results.csv/json; the tables are
/// rewritten after every run.
/// </summary>
public static class SensitivitySweep
{
    /// <summary>A sweep's attack run folder: {attack}-{dataset}-{model}-s{seed}, labels made folder-safe.</summary>
    public static string AttackRunName(string attack, string dataset, string model, long seed = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"{Safe(attack)}-{dataset}-{Safe(model)}-s{seed}");

    /// <summary>A sweep's defense run folder: {attack run}--{variant}-r{clean ratio}-s{seed}, beside the attack run.</summary>
    public static string RunName(string attackRun, string variant, double cleanRatio, long seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{attackRun}--{Safe(variant)}-r{cleanRatio}-s{seed}");

    /// <summary>One defense run of the grid, in the grid's fixed order (the order shards slice).</summary>
    public sealed record Cell(SweepComponent<IModelOptions> Model, SweepAttack Attack, double CleanRatio, SweepVariant Variant, long Seed);

    public static IReadOnlyList<Cell> Cells(SweepSettings settings) =>
        (from model in settings.Models
         from attack in settings.Attacks
         from cleanRatio in settings.CleanRatios
         from variant in settings.Variants
         from seed in settings.Seeds
         select new Cell(model, attack, cleanRatio, variant, seed)).ToList();

    public static IReadOnlyList<SweepRow> Run(SweepSettings settings, IRunLog log, CancellationToken cancel = default)
    {
        var shard = settings.Shard ?? SweepShard.Whole;
        var mine = Cells(settings).Where((_, index) => shard.Owns(index)).ToList();
        var rows = new List<SweepRow>();
        using var store = ResultStore.Open(settings.Store, settings.Out);
        var sinks = new IResultSink[] { new ResultFiles(settings.Out), store };
        var clock = Stopwatch.StartNew();
        var defending = new Stopwatch(); // defense runs only: the ETA should not count the backdoored models trained on the way
        int done = 0, ran = 0;
        string where = shard == SweepShard.Whole ? "" : $" (shard {shard})";
        log.Info($"sweep: {mine.Count} defense runs{where}; results in {store.Describe}");
        foreach (var cell in mine)
        {
            var attackLocation = AttackRun(settings, cell, sinks, log, cancel);
            var attackRecord = RunRecord.TryRead(attackLocation.Path)!;
            var config = new DefenseRunConfig(attackLocation.Path, cell.Variant.Options, cell.CleanRatio, cell.Seed, settings.DataDirectory,
                settings.EvalEvery, settings.Compute);
            var location = new RunLocation(settings.Out, RunName(attackLocation.Name, cell.Variant.Label, cell.CleanRatio, cell.Seed), Force: true);
            var tags = Tags(settings, cell);
            var wanted = DefenseExperiment.Record(config with { From = Path.GetRelativePath(location.Path, attackLocation.Path) }, attackRecord, tags);
            DefenseSummary summary;
            using (Lock(settings, location, log, cancel))
            {
                bool reused = IsFinished(location, wanted.OptionsHash);
                log.Info($"sweep [{done + 1}/{mine.Count}{where}]: {location.Name}{(reused ? " (done before)" : "")}{Eta(defending, ran, mine.Count - done)}");
                defending.Start();
                summary = reused
                    ? RunJson.Read<DefenseSummary>(Path.Combine(location.Path, RunFiles.Summary))
                    : DefenseExperiment.Run(config, location, log, cancel, tags);
                defending.Stop();
                if (!reused) ran++;
                var row = new ResultRow(wanted, location.Name, summary.Before, summary.After, summary.DefenseEffectiveness, summary.Seconds,
                    summary.CleanSamples, summary.Epochs, summary.Facts);
                foreach (var sink in sinks) sink.Add(row);
            }
            done++;
            rows.Add(new SweepRow(ModelLabel(settings, cell), cell.Attack.Label, cell.Variant.Label, cell.Seed, summary));
            SweepReport.Write(settings, Table(settings.Out, rows, log));
        }
        log.Info($"sweep: {done} defense runs{where} in {clock.Elapsed:hh\\:mm\\:ss} ({ran} run now, {done - ran} done before)");
        return rows;
    }

    /// <summary>The backdoored model a cell defends: reused when finished as asked, else trained once under the lock.</summary>
    private static RunLocation AttackRun(SweepSettings settings, Cell cell, IResultSink[] sinks, IRunLog log, CancellationToken cancel)
    {
        var config = new AttackRunConfig(settings.Dataset, cell.Model.Options, cell.Attack.Options, cell.Attack.Settings,
            TrainingSettings.BackdoorBenchAttack(settings.AttackEpochs), cell.Attack.Seed,
            DataDirectory: settings.DataDirectory, EvalEvery: 0, Compute: settings.Compute);
        var tags = new Dictionary<string, string> { ["model"] = ModelLabel(settings, cell), ["attack"] = cell.Attack.Label };
        // A bfloat16 grid's models are its own ("-bf16"), and its defense runs are named after them.
        var location = new RunLocation(settings.Out, AttackRunName(cell.Attack.Label, settings.Dataset, cell.Model.Label, cell.Attack.Seed)
                                                     + RunArithmetic.FolderSuffix(settings.Compute));
        string hash = AttackExperiment.Record(config).OptionsHash;
        if (IsFinished(location, hash)) return location;
        using (Lock(settings, location, log, cancel))
        {
            if (IsFinished(location, hash)) return location; // another process trained it while this one waited
            log.Info($"sweep: training {location.Name}");
            var summary = AttackExperiment.Run(config, location with { Force = true }, log, cancel, tags);
            var row = new ResultRow(AttackExperiment.Record(config, tags), location.Name, null, summary.Result, null, summary.Seconds);
            foreach (var sink in sinks) sink.Add(row);
        }
        return location;
    }

    private static Dictionary<string, string> Tags(SweepSettings settings, Cell cell) =>
        new() { ["model"] = ModelLabel(settings, cell), ["attack"] = cell.Attack.Label, ["variant"] = cell.Variant.Label };

    /// <summary>The model's label in tables and the store ("small-cnn (bf16)" for a bfloat16 grid, <see cref="RunArithmetic"/>).</summary>
    private static string ModelLabel(SweepSettings settings, Cell cell) => RunArithmetic.ModelLabel(cell.Model.Label, settings.Compute);

    private static FileLock Lock(SweepSettings settings, RunLocation location, IRunLog log, CancellationToken cancel) =>
        FileLock.Acquire(Path.Combine(settings.Out, $".{location.Name}.lock"), cancel,
            () => log.Info($"sweep: {location.Name} is being made by another process; waiting"));

    private static string Eta(Stopwatch defending, int ran, int left) =>
        ran == 0 ? "" : $", eta {TimeSpan.FromSeconds(defending.Elapsed.TotalSeconds / ran * left):hh\\:mm\\:ss} (defense runs; attack runs still to train come on top)";

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
