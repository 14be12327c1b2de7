using System.CommandLine;
using Antidote.Attacks;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Data;
using Antidote.Experiments;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Cli.Commands;

/// <summary>`antidote attack`: train a backdoored model and write its run folder.</summary>
public sealed class AttackCommand : Command
{
    private readonly Option<string> _attack = new("--attack") { Description = "Attack name (see `antidote list`)", DefaultValueFactory = _ => "badnets" };
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly ComponentOptionsBinder _poisoning = new("", typeof(AttackSettings));
    private readonly RegistryOptions<AttackEntry> _attacks = new(AttackCatalog.Default);
    private readonly RegistryOptions<ModelEntry> _models = new(ModelCatalog.Default);
    private readonly Option<int> _epochs = new("--epochs") { Description = "Training epochs (BackdoorBench CIFAR-10: 100)", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _lr = new("--lr") { Description = "SGD learning rate, cosine-annealed (BackdoorBench: 0.01)", DefaultValueFactory = _ => 0.01 };
    private readonly Option<int> _cosineTMax = new("--cosine-tmax") { Description = "Cosine schedule's half period in epochs (BackdoorBench: 100 whatever --epochs; 0 = anneal over --epochs)", DefaultValueFactory = _ => TrainingSettings.BackdoorBenchCosineTMax };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Batch size (BackdoorBench: 128)", DefaultValueFactory = _ => 128 };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "SGD weight decay (BackdoorBench: 5e-4)", DefaultValueFactory = _ => 5e-4 };
    private readonly Option<int> _evalEvery = CommonOptions.EvalEvery(1);
    private readonly Option<string> _out = CommonOptions.Out("runs");
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();

    public AttackCommand() : base("attack", "Poison a training set and train a backdoored model (writes a run folder). " +
        "Each attack's and model's own options are prefixed with its name (--blended-alpha, --preact-resnet18-width)")
    {
        foreach (var option in new Option[] { _attack, _dataset, _model }.Concat(_poisoning.Options).Concat(_attacks.All).Concat(_models.All)
                     .Concat([_epochs, _lr, _cosineTMax, _batchSize, _weightDecay, _evalEvery, _seed, _data, _out, _name, _force]).Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    private int Execute(ParseResult r, CancellationToken cancel)
    {
        var config = BuildConfig(r);
        var location = new RunLocation(r.GetValue(_out)!, r.GetValue(_name) ?? AttackExperiment.DefaultName(config), r.GetValue(_force));
        var summary = AttackExperiment.Run(config, location, new ConsoleRunLog(), cancel);
        Console.WriteLine($"ACC {summary.Result.Accuracy:P2}  ASR {summary.Result.AttackSuccessRate:P2}  RA {summary.Result.RobustAccuracy:P2}  -> {location.Path}");
        return 0;
    }

    internal AttackRunConfig BuildConfig(ParseResult r)
    {
        var dataset = DatasetCatalog.Default.Get(r.GetValue(_dataset)!);
        var attack = AttackCatalog.Default.Get(r.GetValue(_attack)!);
        var settings = (AttackSettings)_poisoning.Bind(r);
        CommonOptions.LabelModeSupported(attack, settings);
        int epochs = r.GetValue(_epochs), batch = r.GetValue(_batchSize), evalEvery = r.GetValue(_evalEvery), tMax = r.GetValue(_cosineTMax);
        CommonOptions.Positive("--epochs", epochs);
        CommonOptions.Positive("--batch-size", batch);
        CommonOptions.Positive("--lr", r.GetValue(_lr));
        CommonOptions.NotNegative("--weight-decay", r.GetValue(_weightDecay));
        CommonOptions.NotNegative("--eval-every", evalEvery);
        CommonOptions.NotNegative("--cosine-tmax", tMax);
        return new AttackRunConfig(
            dataset.Name, (IModelOptions)_models.Bind(r, r.GetValue(_model)!), (IAttackOptions)_attacks.Bind(r, attack.Name), settings,
            new TrainingSettings(epochs, r.GetValue(_lr), batch, WeightDecay: r.GetValue(_weightDecay), CosineTMax: tMax == 0 ? null : tMax),
            r.GetValue(_seed), r.GetValue(_data), evalEvery, _compute.Settings(r));
    }
}
