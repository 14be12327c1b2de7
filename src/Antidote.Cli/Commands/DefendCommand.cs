using System.CommandLine;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments;
using Antidote.Experiments.Runs;

namespace Antidote.Cli.Commands;

/// <summary>`antidote defend`: run a defense on an attack run's model with a clean subset.</summary>
public sealed class DefendCommand : Command
{
    internal static readonly Dictionary<string, D3Initialization> Initializations = new()
    {
        ["random"] = D3Initialization.Random, ["near"] = D3Initialization.Near, ["middle"] = D3Initialization.Middle,
        ["far"] = D3Initialization.Far, ["noise"] = D3Initialization.Noise,
    };

    private readonly Option<string> _from = new("--from") { Description = "Attack run folder to defend", Required = true };
    private readonly Option<string> _method = new("--method") { Description = "Defense name (see `antidote list`)", DefaultValueFactory = _ => "d3" };
    private readonly Option<double> _cleanRatio = new("--clean-ratio") { Description = "Fraction of the clean training set the defender holds", DefaultValueFactory = _ => 0.05 };
    private readonly Option<int?> _epochs = new("--epochs") { Description = $"Defense epochs (default: the method's; D3 {new D3Options().Epochs}, ours; FT {new FineTuningOptions().Epochs}, BackdoorBench's)" };
    private readonly Option<double?> _lr = new("--lr") { Description = "SGD learning rate, cosine-annealed (default: the reference's 0.01; 0.005 for D3 in dual mode)" };
    private readonly Option<int?> _minSteps = new("--min-steps") { Description = $"Floor on SGD steps: run at least enough epochs to take this many (default: the method's; D3 {new D3Options().MinSteps}, what 50 epochs give 3,000 clean images, ours; FT {new FineTuningOptions().MinSteps}; the reference's CIFAR-10 setting takes 1,000; 0 = epochs only)" };
    private readonly Option<int> _hingeLogEvery = new("--hinge-log-every") { Description = "D3: measure the clean hinge for the log every N epochs when no rule needs it every epoch (0 = never)", DefaultValueFactory = _ => new D3Options().HingeLogEvery };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Batch size (reference: 256)", DefaultValueFactory = _ => 256 };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Evaluate ACC/ASR/RA every N epochs (0 = before and after only)", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _module = new("--d3-module") { Description = "D3: module whose Linear/Conv weights are pushed away (default: the final classifier, e.g. linear; or layer4)" };
    private readonly Option<double> _p = new("--p") { Description = "D3: order of the distance norm", DefaultValueFactory = _ => 2 };
    private readonly Option<double> _lambda = CommonOptions.Lambda();
    private readonly Option<double> _epsilon = new("--epsilon") { Description = "D3: per-sample clean-loss threshold", DefaultValueFactory = _ => 0.1 };
    private readonly Option<string?> _init = new("--init") { Description = "D3: warm-up of the selected weights (default: random in fixed mode, as the reference; middle in dual mode)" };
    private readonly Option<bool> _freezeBn = new("--freeze-bn") { Description = "D3: keep BatchNorm in eval mode (higher ACC, higher ASR)" };
    private readonly Option<string> _lambdaMode = CommonOptions.LambdaMode();
    private readonly Option<double> _dualStart = new("--dual-start") { Description = "D3 dual: λ at the first epoch", DefaultValueFactory = _ => new DualAscentOptions().Start };
    private readonly Option<double> _dualStep = new("--dual-step") { Description = "D3 dual: step on log λ per epoch and unit of relative violation", DefaultValueFactory = _ => new DualAscentOptions().Step };
    private readonly Option<int> _dualUnit = new("--dual-unit") { Description = "D3 dual: SGD steps per unit of --dual-step (12 = one epoch of 3,000 images at batch 256, where it was tuned; 0 = per epoch whatever its length)", DefaultValueFactory = _ => new DualAscentOptions().StepsPerUnit };
    private readonly Option<double> _budgetScale = new("--budget-scale") { Description = "D3 dual: budget = scale × the reference clean hinge", DefaultValueFactory = _ => new DualAscentOptions().BudgetScale };
    private readonly Option<int> _referenceEpochs = new("--reference-epochs") { Description = "D3 dual: epochs of plain fine-tuning whose clean hinge (if lower than the initial model's) sets the budget; 0 = initial model only", DefaultValueFactory = _ => new DualAscentOptions().ReferenceEpochs };
    private readonly Option<double> _budgetFloor = new("--budget-floor") { Description = "D3 dual: smallest budget", DefaultValueFactory = _ => new DualAscentOptions().BudgetFloor };
    private readonly Option<double> _holdout = new("--constraint-holdout") { Description = "D3: fraction of the clean subset held out of training to measure the clean hinge (budget, dual, stopping)", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _earlyStop = new("--early-stop") { Description = "D3: stop when the clean-data rule fires (clean hinge within budget and distance plateau); it is reported either way" };
    private readonly Option<int> _stopWindow = new("--stop-window") { Description = "D3 stopping rule: epochs over which the distance must plateau", DefaultValueFactory = _ => 5 };
    private readonly Option<double> _stopTolerance = new("--stop-tolerance") { Description = "D3 stopping rule: relative distance growth that counts as a plateau", DefaultValueFactory = _ => 0.01 };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "FT: SGD weight decay", DefaultValueFactory = _ => 5e-4 };
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();

    public DefendCommand() : base("defend", "Remove a backdoor from an attack run's model (writes a run folder beside it). " +
        "D3's defaults (dual λ, 50 epochs and at least 600 SGD steps) are not a guarantee: in the README's comparison they left Blended " +
        "at up to 6.8% ASR with 3,000 clean images, and cost 3-4 points of ACC with 400")
    {
        _init.AcceptOnlyFromAmong([.. Initializations.Keys]);
        foreach (var option in new Option[] { _from, _method, _cleanRatio, _epochs, _minSteps, _lr, _batchSize, _evalEvery, _module, _p, _lambda, _epsilon, _init,
                     _freezeBn, _lambdaMode, _dualStart, _dualStep, _dualUnit, _budgetScale, _referenceEpochs, _budgetFloor, _holdout, _earlyStop, _stopWindow, _stopTolerance, _hingeLogEvery, _weightDecay, _seed, _data, _name, _force }.Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    private int Execute(ParseResult r, CancellationToken cancel)
    {
        var config = BuildConfig(r);
        var location = DefenseExperiment.DefaultLocation(config, r.GetValue(_force));
        if (r.GetValue(_name) is string name) location = location with { Name = name };
        var s = DefenseExperiment.Run(config, location, new ConsoleRunLog(), cancel);
        Console.WriteLine($"before: ACC {s.Before.Accuracy:P2} ASR {s.Before.AttackSuccessRate:P2} RA {s.Before.RobustAccuracy:P2}");
        if (s.StopEpoch is int stop)
            Console.WriteLine($"clean-data stopping rule fired at epoch {stop} of {s.Epochs}");
        Console.WriteLine($"after:  ACC {s.After.Accuracy:P2} ASR {s.After.AttackSuccessRate:P2} RA {s.After.RobustAccuracy:P2}  DER {s.DefenseEffectiveness:P2}  ({s.Seconds:F0} s) -> {location.Path}");
        return 0;
    }

    internal DefenseRunConfig BuildConfig(ParseResult r)
    {
        var method = DefenseCatalog.Default.Get(r.GetValue(_method)!);
        double cleanRatio = r.GetValue(_cleanRatio);
        CommonOptions.Fraction("--clean-ratio", cleanRatio);
        int? epochs = r.GetValue(_epochs);
        int batch = r.GetValue(_batchSize);
        double? lr = r.GetValue(_lr);
        if (epochs is int e) CommonOptions.Positive("--epochs", e);
        CommonOptions.Positive("--batch-size", batch);
        if (lr is double given) CommonOptions.Positive("--lr", given);
        CommonOptions.NotNegative("--eval-every", r.GetValue(_evalEvery));
        double p = r.GetValue(_p);
        if (!(p >= 1) || double.IsInfinity(p)) throw new AntidoteException($"--p must be a finite norm order >= 1, got {p}");
        CommonOptions.NotNegative("--lambda", r.GetValue(_lambda));
        CommonOptions.NotNegative("--epsilon", r.GetValue(_epsilon));
        CommonOptions.Positive("--dual-start", r.GetValue(_dualStart));
        CommonOptions.Positive("--dual-step", r.GetValue(_dualStep));
        CommonOptions.NotNegative("--reference-epochs", r.GetValue(_referenceEpochs));
        CommonOptions.NotNegative("--dual-unit", r.GetValue(_dualUnit));
        CommonOptions.Positive("--budget-scale", r.GetValue(_budgetScale));
        CommonOptions.NotNegative("--budget-floor", r.GetValue(_budgetFloor));
        CommonOptions.NotNegative("--weight-decay", r.GetValue(_weightDecay));
        CommonOptions.Positive("--stop-window", r.GetValue(_stopWindow));
        if (r.GetValue(_minSteps) is int minSteps) CommonOptions.NotNegative("--min-steps", minSteps);
        CommonOptions.NotNegative("--hinge-log-every", r.GetValue(_hingeLogEvery));
        double holdout = r.GetValue(_holdout);
        if (!(holdout >= 0 && holdout < 1)) throw new AntidoteException($"--constraint-holdout must be in [0, 1), got {holdout}");
        CommonOptions.NotNegative("--stop-tolerance", r.GetValue(_stopTolerance));
        var d3 = new D3Options(
            r.GetValue(_module), p, r.GetValue(_lambda), r.GetValue(_epsilon), r.GetValue(_init) is string init ? Initializations[init] : null, r.GetValue(_freezeBn),
            epochs ?? new D3Options().Epochs, lr, batch, CommonOptions.LambdaModeOf(r.GetValue(_lambdaMode)!),
            new DualAscentOptions(r.GetValue(_dualStart), r.GetValue(_dualStep), r.GetValue(_budgetScale), r.GetValue(_budgetFloor), r.GetValue(_referenceEpochs), r.GetValue(_dualUnit)),
            new EarlyStopOptions(r.GetValue(_earlyStop), r.GetValue(_stopWindow), r.GetValue(_stopTolerance)), holdout,
            r.GetValue(_minSteps) ?? new D3Options().MinSteps, r.GetValue(_hingeLogEvery));
        var ft = new FineTuningOptions(epochs ?? new FineTuningOptions().Epochs, lr ?? new FineTuningOptions().LearningRate, batch, r.GetValue(_weightDecay), MinSteps: r.GetValue(_minSteps) ?? new FineTuningOptions().MinSteps);
        return new DefenseRunConfig(r.GetValue(_from)!, method.Name, new DefenseOptions(d3, ft), cleanRatio, r.GetValue(_seed),
            r.GetValue(_data), r.GetValue(_evalEvery), _compute.Settings(r));
    }
}
