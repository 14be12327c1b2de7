using System.CommandLine;
using System.Diagnostics;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Core.IO;
using Antidote.Data.Assets;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments.Demo;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote demo`: plant a BadNets backdoor in a Fashion-MNIST model, remove it with FT and D3, print the table.</summary>
public sealed class DemoCommand : Command, IChoosesComponents
{
    private readonly Option<string> _out = CommonOptions.Out("runs/demo");
    private readonly Option<bool> _quick = new("--quick") { Description = "Tiny epochs: check the pipeline end to end, not the numbers" };
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly RegistryOptions<ModelEntry> _models = new(ModelCatalog.Default);
    private readonly Option<int> _attackEpochs = CommonOptions.AttackEpochs(DemoSettings.DefaultAttackEpochs);
    private readonly ComponentOptionsBinder _d3;
    private readonly ComponentOptionsBinder _ft;
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new(precision: true);

    public DemoCommand() : base("demo", "Backdoor a Fashion-MNIST model with BadNets, then remove it with FT and D3 " +
        "(every D3 and FT option is available as in `defend`; FT runs D3's epoch count unless --ft-epochs is given)")
    {
        var defenses = new RegistryOptions<DefenseEntry>(DefenseCatalog.Default);
        (_d3, _ft) = (defenses.For("d3"), defenses.For("ft"));
        foreach (var option in new Option[] { _out, _quick, _model }.Concat(_models.All).Concat([_attackEpochs]).Concat(_d3.Options).Concat(_ft.Options)
                     .Concat([_seed, _data]).Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    public IEnumerable<ChosenComponent> Chosen(ParseResult r) => new[] { _models.Chosen(r, _model) }.OfType<ChosenComponent>();

    private int Execute(ParseResult r, CancellationToken cancel)
    {
        CommonOptions.Positive("--attack-epochs", r.GetValue(_attackEpochs));
        var d3 = (D3Options)_d3.Bind(r);
        var settings = new DemoSettings(r.GetValue(_out)!, r.GetValue(_seed), r.GetValue(_quick), r.GetValue(_data),
            _compute.Settings(r), (IModelOptions)_models.Bind(r, r.GetValue(_model)!), r.GetValue(_attackEpochs),
            d3, (FineTuningOptions)_ft.Bind(r, new FineTuningOptions(Epochs: d3.Epochs)));
        DebianAssets.EnsureFashionMnist(settings.DataDirectory);
        var clock = Stopwatch.StartNew();
        var rows = DemoExperiment.Run(settings, new ConsoleRunLog(), cancel);
        string table = ResultTable.Format(rows);
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "demo-table.md"), table);
        Console.WriteLine();
        Console.WriteLine($"BadNets (10% poisoning, target 0) on Fashion-MNIST, {ModelCatalog.NameOf(settings.ModelOrDefault)}; defenses on 5% clean data:");
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine("Where the time went (the table's time is the training or defending stage):");
        Console.Write(ResultTable.FormatStages(rows));
        Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min; run folders in {Path.GetFullPath(settings.Out)}");
        return 0;
    }
}
