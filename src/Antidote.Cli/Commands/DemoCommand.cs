using System.CommandLine;
using System.Diagnostics;
using Antidote.Cli.Assets;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Data;
using Antidote.Defenses.D3;
using Antidote.Experiments.Demo;

namespace Antidote.Cli.Commands;

/// <summary>`antidote demo`: plant a BadNets backdoor in a Fashion-MNIST model, remove it with FT and D3, print the table.</summary>
public sealed class DemoCommand : Command
{
    private readonly Option<string> _out = new("--out") { Description = "Folder for the demo's run folders", DefaultValueFactory = _ => "runs/demo" };
    private readonly Option<bool> _quick = new("--quick") { Description = "Tiny epochs: check the pipeline end to end, not the numbers" };
    private readonly Option<string> _model = new("--model") { Description = "Model to backdoor", DefaultValueFactory = _ => "small-cnn" };
    private readonly Option<int> _attackEpochs = new("--attack-epochs") { Description = "Epochs of backdoor training", DefaultValueFactory = _ => new DemoSettings().AttackEpochs };
    private readonly Option<int> _defenseEpochs = new("--defense-epochs") { Description = "Epochs of FT and D3 (default: D3's)", DefaultValueFactory = _ => new D3Options().Epochs };
    private readonly Option<string> _lambdaMode = CommonOptions.LambdaMode();
    private readonly Option<double> _lambda = CommonOptions.Lambda();
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();

    public DemoCommand() : base("demo", "Backdoor a Fashion-MNIST model with BadNets, then remove it with FT and D3")
    {
        foreach (var option in new Option[] { _out, _quick, _model, _attackEpochs, _defenseEpochs, _lambdaMode, _lambda, _seed, _data }.Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    private int Execute(ParseResult r, CancellationToken cancel)
    {
        CommonOptions.Positive("--attack-epochs", r.GetValue(_attackEpochs));
        CommonOptions.Positive("--defense-epochs", r.GetValue(_defenseEpochs));
        CommonOptions.NotNegative("--lambda", r.GetValue(_lambda));
        var settings = new DemoSettings(r.GetValue(_out)!, r.GetValue(_seed), r.GetValue(_quick), r.GetValue(_data),
            _compute.Settings(r), r.GetValue(_model)!,
            r.GetValue(_attackEpochs), r.GetValue(_defenseEpochs),
            new D3Options(LambdaMode: CommonOptions.LambdaModeOf(r.GetValue(_lambdaMode)!), Lambda: r.GetValue(_lambda)));
        DebianAssets.EnsureFashionMnist(settings.DataDirectory);
        var clock = Stopwatch.StartNew();
        var rows = DemoExperiment.Run(settings, new ConsoleRunLog(), cancel);
        string table = ResultTable.Format(rows);
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "demo-table.md"), table);
        Console.WriteLine();
        Console.WriteLine($"BadNets (10% poisoning, target 0) on Fashion-MNIST, {settings.Model}; defenses on 5% clean data:");
        Console.Write(table);
        Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min; run folders in {Path.GetFullPath(settings.Out)}");
        return 0;
    }
}
