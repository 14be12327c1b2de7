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
    private readonly Option<string> _attacks = new("--attacks") { Description = $"Comma-separated attacks, {Modifiers} (e.g. blended+trigger=noise)", DefaultValueFactory = _ => "badnets,blended,sig" };
    private readonly Option<string> _variants = new("--variants") { Description = $"Comma-separated defense settings, {Modifiers} (e.g. d3+lambda-mode=fixed+lambda=10,ft+epochs=20); the labels of the table's rows", DefaultValueFactory = _ => "d3,d3+lambda-mode=fixed,ft" };
    private readonly Option<string> _seeds = new("--seeds") { Description = "Comma-separated defense seeds", DefaultValueFactory = _ => "0,1,2" };
    private readonly Option<int> _attackEpochs = CommonOptions.AttackEpochs();
    private readonly Option<string> _cleanRatios = new("--clean-ratios") { Description = "Comma-separated clean fractions the defender holds, one cell each (paper: 0.05)", DefaultValueFactory = _ => "0.05" };
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<string> _out = CommonOptions.Out("runs/sweep");
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();

    public SweepCommand() : base("sweep", "Compare defense settings across models, attacks, clean-set sizes and seeds; writes sweep.md, sweep.csv and results.csv")
    {
        foreach (var option in new Option[] { _models, _attacks, _variants, _seeds, _attackEpochs, _cleanRatios, _dataset, _out, _data }.Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() =>
        {
            var settings = BuildSettings(result);
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
        var cleanRatios = List(r.GetValue(_cleanRatios)!).Select(text =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
                throw new AntidoteException($"--clean-ratios: '{text}' is not a number");
            CommonOptions.Fraction("--clean-ratios", ratio);
            return ratio;
        }).ToList();
        var seeds = List(r.GetValue(_seeds)!).Select(s => long.TryParse(s, out long seed) ? seed : throw new AntidoteException($"--seeds: '{s}' is not an integer")).ToList();
        return new SweepSettings(r.GetValue(_out)!,
            List(r.GetValue(_models)!).Select(m => new SweepComponent<IModelOptions>(m, (IModelOptions)models.Parse(m, "--models"))).ToList(),
            List(r.GetValue(_attacks)!).Select(a => new SweepComponent<IAttackOptions>(a, (IAttackOptions)attacks.Parse(a, "--attacks"))).ToList(),
            List(r.GetValue(_variants)!).Select(v => new SweepVariant(v, (IDefenseOptions)defenses.Parse(v, "--variants"))).ToList(),
            seeds, cleanRatios, Dataset: Antidote.Data.DatasetCatalog.Default.Get(r.GetValue(_dataset)!).Name, DataDirectory: r.GetValue(_data),
            AttackEpochs: r.GetValue(_attackEpochs), Compute: _compute.Settings(r));
    }

    private static List<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
