using System.CommandLine;
using System.Globalization;
using Antidote.Attacks;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Defenses;
using Antidote.Experiments.Sweeps;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote sweep`: defenses compared across models, attacks, clean-set sizes and seeds.</summary>
public sealed class SweepCommand : Command
{
    private const string Modifiers = "each NAME[+FIELD=VALUE...], FIELD as in that component's flags without its prefix";

    private readonly Option<string> _models = new("--models") { Description = $"Comma-separated models, {Modifiers} (e.g. preact-resnet18+width=16)", DefaultValueFactory = _ => "small-cnn" };
    private readonly Option<string> _attacks = new("--attacks") { Description = $"Comma-separated attacks, {Modifiers}, or target, poison-ratio, label-mode and seed of the attack run (e.g. blended+trigger=noise, badnets+target=3+seed=1)", DefaultValueFactory = _ => "badnets,blended,sig" };
    private readonly Option<string> _variants = new("--variants") { Description = $"Comma-separated defense settings, {Modifiers} (e.g. d3+lambda-mode=fixed+lambda=10,ft+epochs=20); the labels of the table's rows", DefaultValueFactory = _ => "d3,d3+lambda-mode=fixed,ft" };
    private readonly Option<string> _seeds = new("--seeds") { Description = "Comma-separated defense seeds", DefaultValueFactory = _ => "0,1,2" };
    private readonly Option<int> _attackEpochs = CommonOptions.AttackEpochs();
    private readonly Option<string> _cleanRatios = new("--clean-ratios") { Description = "Comma-separated clean fractions the defender holds, one cell each (paper: 0.05)", DefaultValueFactory = _ => "0.05" };
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<string> _out = CommonOptions.Out("runs/sweep");
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly Option<string?> _shard = new("--shard") { Description = "Run slice I of N of the grid (I/N, 0-based); default: the scheduler's (Slurm array, Kubernetes Indexed Job), else all. Shards share --out and the store" };
    private readonly Option<int> _jobs = new("--jobs")
    {
        Description = "Processes to split the grid over on this machine, each a --shard of it with --threads divided between them; " +
                      "a run's last digits depend on its thread count, so the same numbers need the same --jobs and --threads (README: measured speed)",
        DefaultValueFactory = _ => 1,
    };
    private readonly Option<string?> _store = CommonOptions.Store();
    private readonly Option<string?> _config = ConfigArguments.Option();
    private readonly Option<int> _evalEvery = CommonOptions.EvalEvery(0);
    private readonly Argument<string?> _grid = new("GRID") { Description = "The grid as a YAML file (keys: this command's flags without dashes; lists for the comma-separated ones); same as --config", Arity = ArgumentArity.ZeroOrOne };
    private readonly ComputeOptions _compute = new(precision: true);

    public SweepCommand() : base("sweep", "Compare defense settings across models, attacks, clean-set sizes and seeds; resumes where it stopped; " +
        "writes sweep.md, sweep.csv, results.csv and the results store (`antidote results`)")
    {
        Arguments.Add(_grid);
        foreach (var option in new Option[] { _models, _attacks, _variants, _seeds, _attackEpochs, _cleanRatios, _dataset, _out, _data, _shard, _jobs, _store, _evalEvery, _config }.Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() =>
        {
            var settings = BuildSettings(result);
            int jobs = result.GetValue(_jobs);
            CommonOptions.Positive("--jobs", jobs);
            if (jobs > 1)
            {
                if (settings.Shard is not null)
                    throw new AntidoteException("--jobs splits the grid into shards itself; give --jobs or --shard (or a scheduler's array), not both");
                SweepJobs.Run(jobs, settings.Compute?.Threads ?? 0, settings.Out, Cli.Interrupt);
                // Every cell is finished now: this pass only gathers them into sweep.md and the store.
                settings = settings with { Shard = SweepShard.Whole };
            }
            SensitivitySweep.Run(settings, new ConsoleRunLog(), Cli.Interrupt);
            Console.Write(File.ReadAllText(Path.Combine(settings.Out, "sweep.md")));
            return 0;
        }));
    }

    internal SweepSettings BuildSettings(ParseResult r)
    {
        var models = new RegistryOptions<ModelEntry>(ModelCatalog.Default);
        var attacks = new RegistryOptions<AttackEntry>(AttackCatalog.Default);
        var defenses = new RegistryOptions<DefenseEntry>(DefenseCatalog.Default);
        CommonOptions.Positive("--attack-epochs", r.GetValue(_attackEpochs));
        CommonOptions.NotNegative("--eval-every", r.GetValue(_evalEvery));
        var cleanRatios = List(r.GetValue(_cleanRatios)!).Select(text =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
                throw new AntidoteException($"--clean-ratios: '{text}' is not a number");
            CommonOptions.Fraction("--clean-ratios", ratio);
            return ratio;
        }).ToList();
        var compute = _compute.Settings(r);
        var seeds = List(r.GetValue(_seeds)!).Select(s => long.TryParse(s, out long seed) ? seed : throw new AntidoteException($"--seeds: '{s}' is not an integer")).ToList();
        var sweptAttacks = List(r.GetValue(_attacks)!).Select(a => Attack(attacks, a)).ToList();
        var variants = List(r.GetValue(_variants)!).Select(v => new SweepVariant(v, (IDefenseOptions)defenses.Parse(v, "--variants"))).ToList();
        foreach (var attack in sweptAttacks)
            ComputeOptions.Supports(compute, AttackCatalog.Default.Get(AttackCatalog.NameOf(attack.Options)));
        foreach (var variant in variants)
            ComputeOptions.Supports(compute, DefenseCatalog.Default.Get(DefenseCatalog.NameOf(variant.Options)));
        return new SweepSettings(r.GetValue(_out)!,
            List(r.GetValue(_models)!).Select(m => new SweepComponent<IModelOptions>(m, (IModelOptions)models.Parse(m, "--models"))).ToList(),
            sweptAttacks, variants, seeds, cleanRatios, Dataset: Antidote.Data.DatasetCatalog.Default.Get(r.GetValue(_dataset)!).Name, DataDirectory: r.GetValue(_data),
            AttackEpochs: r.GetValue(_attackEpochs), Compute: compute,
            Shard: r.GetValue(_shard) is string shard ? SweepShard.Parse(shard) : SweepShard.FromEnvironment(Environment.GetEnvironmentVariable),
            Store: r.GetValue(_store), EvalEvery: r.GetValue(_evalEvery));
    }

    /// <summary>The YAML file named as the positional GRID, if any (read like --config).</summary>
    internal string? GridFile(ParseResult r) => r.GetValue(_grid);

    /// <summary>"NAME[+KEY=VALUE...]": the attack's own fields, else the poisoning settings (target, poison-ratio, label-mode), or seed.</summary>
    private static SweepAttack Attack(RegistryOptions<AttackEntry> attacks, string text)
    {
        string[] parts = text.Split('+');
        var binder = attacks.For(parts[0]);
        var poisoning = new ComponentOptionsBinder("", typeof(AttackSettings));
        var own = parts[1..].Where(p => binder.HasKey(p.Split('=')[0])).ToList();
        var shared = parts[1..].Where(p => poisoning.HasKey(p.Split('=')[0])).ToList();
        long seed = 0;
        foreach (string pair in parts[1..].Except(own).Except(shared))
        {
            string[] kv = pair.Split('=', 2);
            if (kv[0] != "seed")
                throw new AntidoteException($"--attacks '{text}': '{kv[0]}' is not an option of {parts[0]} ({string.Join(", ", binder.Help().Select(f => f.Key))}) " +
                                            "nor of every attack (target, poison-ratio, label-mode, seed)");
            if (kv.Length != 2 || !long.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                throw new AntidoteException($"--attacks '{text}': seed must be an integer");
        }
        var settings = (AttackSettings)poisoning.Apply(new AttackSettings(), shared, $"--attacks '{text}'");
        CommonOptions.LabelModeSupported(AttackCatalog.Default.Get(parts[0]), settings);
        var options = (IAttackOptions)binder.Apply(binder.Defaults, own, $"--attacks '{text}'");
        return new SweepAttack(text, options, settings, seed);
    }

    private static List<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
