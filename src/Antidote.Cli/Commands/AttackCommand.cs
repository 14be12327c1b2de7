using System.CommandLine;
using Antidote.Attacks;
using Antidote.Cli.Assets;
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
    private readonly Option<string> _dataset = new("--dataset") { Description = "Dataset name", DefaultValueFactory = _ => "fashion-mnist" };
    private readonly Option<string> _model = new("--model") { Description = "Model name", DefaultValueFactory = _ => "small-cnn" };
    private readonly Option<int?> _width = new("--width") { Description = "Model width (default: the model's; PreAct-ResNet18 64 = standard)" };
    private readonly Option<int> _target = new("--target") { Description = "Attack target label", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _pratio = new("--pratio") { Description = "Poisoning ratio of the training set", DefaultValueFactory = _ => 0.1 };
    private readonly Option<string> _labelMode = new("--label-mode") { Description = "all-to-one or all-to-all", DefaultValueFactory = _ => "all-to-one" };
    private readonly Option<string?> _triggerImage = new("--trigger-image") { Description = "PNG trigger for blended (default: --blend-trigger)" };
    private readonly Option<string> _blendTrigger = new("--blend-trigger") { Description = "Blended's trigger without --trigger-image: photo (BackdoorBench blends a natural photograph; ours is scikit-image's public-domain astronaut.png, taken from Debian's python3-skimage) or noise (a fixed uniform-noise pattern)", DefaultValueFactory = _ => "photo" };
    private readonly Option<int?> _patchSize = new("--patch-size") { Description = "BadNets square side in pixels (default: 3 scaled from 32 px)" };
    private readonly Option<double> _alpha = new("--alpha") { Description = "Blended trigger weight", DefaultValueFactory = _ => 0.2 };
    private readonly Option<double> _sigDelta = new("--sig-delta") { Description = "SIG amplitude in pixel units of 255", DefaultValueFactory = _ => 40 };
    private readonly Option<double> _sigFrequency = new("--sig-frequency") { Description = "SIG cycles across the width", DefaultValueFactory = _ => 6 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Training epochs (BackdoorBench CIFAR-10: 100)", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _lr = new("--lr") { Description = "SGD learning rate, cosine-annealed", DefaultValueFactory = _ => 0.01 };
    private readonly Option<int> _cosineTMax = new("--cosine-tmax") { Description = "Cosine schedule's half period in epochs (BackdoorBench: 100 whatever --epochs; 0 = anneal over --epochs)", DefaultValueFactory = _ => TrainingSettings.BackdoorBenchCosineTMax };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => 128 };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "SGD weight decay", DefaultValueFactory = _ => 5e-4 };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Evaluate ACC/ASR/RA every N epochs (0 = only at the end)", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _out = new("--out") { Description = "Folder where run folders go", DefaultValueFactory = _ => "runs" };
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();

    public AttackCommand() : base("attack", "Poison a training set and train a backdoored model (writes a run folder)")
    {
        _labelMode.AcceptOnlyFromAmong("all-to-one", "all-to-all");
        _blendTrigger.AcceptOnlyFromAmong("photo", "noise");
        foreach (var option in new Option[] { _attack, _dataset, _model, _width, _target, _pratio, _labelMode, _triggerImage, _blendTrigger, _patchSize, _alpha,
                     _sigDelta, _sigFrequency, _epochs, _lr, _cosineTMax, _batchSize, _weightDecay, _evalEvery, _seed, _data, _out, _name, _force }.Concat(_compute.All))
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
        var model = ModelCatalog.Default.Get(r.GetValue(_model)!);
        var attack = AttackCatalog.Default.Get(r.GetValue(_attack)!);
        var mode = r.GetValue(_labelMode) == "all-to-all" ? LabelMode.AllToAll : LabelMode.AllToOne;
        if (mode == LabelMode.AllToAll && !attack.SupportsAllToAll)
            throw new AntidoteException($"--label-mode all-to-all is not supported by {attack.Name}");
        int target = r.GetValue(_target);
        if (target < 0 || target >= dataset.Info.Classes)
            throw new AntidoteException($"--target must be a label of {dataset.Name} (0..{dataset.Info.Classes - 1}), got {target}");
        double pratio = r.GetValue(_pratio);
        CommonOptions.Fraction("--pratio", pratio, allowZero: true);
        string? trigger = r.GetValue(_triggerImage);
        if (trigger is not null && !attack.UsesTriggerImage)
            throw new AntidoteException($"--trigger-image is only used by blended, not {attack.Name}");
        if (trigger is not null && !File.Exists(trigger))
            throw new AntidoteException($"--trigger-image {trigger} not found");
        if (trigger is not null && r.GetResult(_blendTrigger) is { Implicit: false })
            throw new AntidoteException("--trigger-image and --blend-trigger exclude each other");
        if (trigger is null && attack.UsesTriggerImage && r.GetValue(_blendTrigger) == "photo")
            trigger = DebianAssets.EnsureTriggerPhoto();
        int? patch = r.GetValue(_patchSize);
        if (patch is < 1 || patch > Math.Min(dataset.Info.Height, dataset.Info.Width))
            throw new AntidoteException($"--patch-size must be between 1 and the image side, got {patch}");
        double alpha = r.GetValue(_alpha);
        CommonOptions.Fraction("--alpha", alpha);
        double delta = r.GetValue(_sigDelta);
        CommonOptions.Positive("--sig-delta", delta);
        CommonOptions.Positive("--sig-frequency", r.GetValue(_sigFrequency));
        int epochs = r.GetValue(_epochs), batch = r.GetValue(_batchSize), evalEvery = r.GetValue(_evalEvery);
        CommonOptions.Positive("--epochs", epochs);
        CommonOptions.Positive("--batch-size", batch);
        CommonOptions.Positive("--lr", r.GetValue(_lr));
        CommonOptions.NotNegative("--weight-decay", r.GetValue(_weightDecay));
        CommonOptions.NotNegative("--eval-every", evalEvery);
        int tMax = r.GetValue(_cosineTMax);
        CommonOptions.NotNegative("--cosine-tmax", tMax);
        int? width = r.GetValue(_width);
        if (width is < 1) throw new AntidoteException($"--width must be >= 1, got {width}");
        return new AttackRunConfig(
            dataset.Name, model.Name, attack.Name,
            new AttackSettings(target, pratio, mode, new TriggerParameters(patch, alpha, delta / 255.0, r.GetValue(_sigFrequency))),
            new TrainingSettings(epochs, r.GetValue(_lr), batch, WeightDecay: r.GetValue(_weightDecay), CosineTMax: tMax == 0 ? null : tMax),
            r.GetValue(_seed), width, r.GetValue(_data), trigger is null ? null : Path.GetFullPath(trigger), evalEvery,
            _compute.Settings(r));
    }
}
