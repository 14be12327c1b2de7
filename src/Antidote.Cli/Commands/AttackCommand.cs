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
public sealed class AttackCommand : Command, IChoosesComponents, IRerunsFolders
{
    private readonly Option<string> _attack = new("--attack") { Description = "Attack name (see `antidote list`)", DefaultValueFactory = _ => "badnets" };
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly ComponentOptionsBinder _poisoning = new("", typeof(AttackSettings));
    private readonly RegistryOptions<AttackEntry> _attacks = new(AttackCatalog.Default);
    private readonly RegistryOptions<ModelEntry> _models = new(ModelCatalog.Default);
    private readonly Option<int> _epochs = new("--epochs") { Description = "Training epochs (BackdoorBench CIFAR-10: 100)", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _lr = new("--learning-rate", "--lr") { Description = "SGD learning rate, cosine-annealed (BackdoorBench: 0.01)", DefaultValueFactory = _ => 0.01 };
    private readonly Option<int> _cosineTMax = new("--cosine-tmax") { Description = "Cosine schedule's half period in epochs (BackdoorBench: 100 whatever --epochs; 0 = anneal over --epochs)", DefaultValueFactory = _ => TrainingSettings.BackdoorBenchCosineTMax };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Batch size (BackdoorBench: 128)", DefaultValueFactory = _ => 128 };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "SGD weight decay (BackdoorBench: 5e-4)", DefaultValueFactory = _ => 5e-4 };
    private readonly Option<int> _evalEvery = CommonOptions.EvalEvery(1);
    private readonly Option<string> _out = CommonOptions.Out("runs");
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new(precision: true);
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();
    private readonly Option<string?> _config = ConfigArguments.Option();

    public AttackCommand() : base("attack", "Poison a training set and train a backdoored model (writes a run folder). " +
        "Each attack's and model's own options are prefixed with its name: `antidote list NAME` shows them")
    {
        foreach (var option in new Option[] { _attack, _dataset, _model }.Concat(_poisoning.Options).Concat(_attacks.All).Concat(_models.All)
                     .Concat([_epochs, _lr, _cosineTMax, _batchSize, _weightDecay, _evalEvery, _seed, _data, _out, _name, _force, _config]).Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    public IEnumerable<ChosenComponent> Chosen(ParseResult r) =>
        new[] { _attacks.Chosen(r, _attack), _models.Chosen(r, _model) }.OfType<ChosenComponent>();

    public IReadOnlyList<ConfigSetting> SettingsOf(string runFolder)
    {
        string file = Path.Combine(runFolder, RunFiles.Config);
        var c = RunJson.Read<AttackRunConfig>(file);
        RunFolderSettings.RefuseIfReadDifferently(runFolder, AttackExperiment.Record(c).OptionsHash);
        var settings = new RunFolderSettings(file);
        settings.Add("--dataset", c.Dataset).Add("--model", c.ModelName).Add("--attack", c.AttackName)
            .AddAll(_models.For(c.ModelName), c.Model).AddAll(_attacks.For(c.AttackName), c.Attack).AddAll(_poisoning, c.Settings)
            .Add("--epochs", c.Training.Epochs).Add("--learning-rate", c.Training.LearningRate).Add("--batch-size", c.Training.BatchSize)
            .Add("--weight-decay", c.Training.WeightDecay).Add("--cosine-tmax", c.Training.CosineTMax ?? 0)
            .Add("--seed", c.Seed).Add("--data", c.DataDirectory).Add("--eval-every", c.EvalEvery);
        return settings.All;
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
        CommonOptions.Positive("--learning-rate", r.GetValue(_lr));
        CommonOptions.NotNegative("--weight-decay", r.GetValue(_weightDecay));
        CommonOptions.NotNegative("--eval-every", evalEvery);
        CommonOptions.NotNegative("--cosine-tmax", tMax);
        var compute = _compute.Settings(r);
        ComputeOptions.Supports(compute, attack);
        return new AttackRunConfig(
            dataset.Name, (IModelOptions)_models.Bind(r, r.GetValue(_model)!), (IAttackOptions)_attacks.Bind(r, attack.Name), settings,
            new TrainingSettings(epochs, r.GetValue(_lr), batch, WeightDecay: r.GetValue(_weightDecay), CosineTMax: tMax == 0 ? null : tMax),
            r.GetValue(_seed), r.GetValue(_data), evalEvery, compute);
    }
}
