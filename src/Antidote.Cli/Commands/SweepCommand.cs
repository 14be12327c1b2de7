using System.CommandLine;
using System.Globalization;
using Antidote.Attacks;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Defenses.D3;
using Antidote.Experiments.Sweeps;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote sweep`: D3's sensitivity to λ across attacks, models and seeds.</summary>
public sealed class SweepCommand : Command
{
    private readonly Option<string> _models = new("--models") { Description = "Comma-separated model names", DefaultValueFactory = _ => "small-cnn" };
    private readonly Option<string> _attacks = new("--attacks") { Description = "Comma-separated attack names", DefaultValueFactory = _ => "badnets,blended,sig" };
    private readonly Option<string> _variants = new("--d3") { Description = "Comma-separated D3 settings: fixed:LAMBDA, dual[:STEP] or dual-holdout[:FRACTION], each optionally @INIT (e.g. fixed:10@middle)", DefaultValueFactory = _ => "fixed:0.5,fixed:10,dual" };
    private readonly Option<string> _seeds = new("--seeds") { Description = "Comma-separated defense seeds", DefaultValueFactory = _ => "0,1,2" };
    private readonly Option<string?> _widths = new("--widths") { Description = "Model widths, e.g. preact-resnet18=16 (others: their default)" };
    private readonly Option<double?> _d3Lr = new("--d3-lr") { Description = "D3 learning rate for every variant (default: each mode's own, 0.01 fixed, 0.005 dual); labels get -lrVALUE" };
    private readonly Option<int> _attackEpochs = new("--attack-epochs") { Description = "Epochs of backdoor training", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _defenseEpochs = new("--defense-epochs") { Description = "Epochs of D3", DefaultValueFactory = _ => 100 };
    private readonly Option<double> _cleanRatio = new("--clean-ratio") { Description = "Defender's clean fraction", DefaultValueFactory = _ => 0.05 };
    private readonly Option<bool> _earlyStop = new("--early-stop") { Description = "Stop D3 where its clean-data rule fires" };
    private readonly Option<string> _out = new("--out") { Description = "Sweep folder (finished runs in it are reused)", DefaultValueFactory = _ => "runs/sweep" };
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();

    public SweepCommand() : base("sweep", "Compare D3 settings (fixed λ, dual ascent) across attacks, models and seeds")
    {
        foreach (var option in new Option[] { _models, _attacks, _variants, _d3Lr, _seeds, _widths, _attackEpochs, _defenseEpochs, _cleanRatio, _earlyStop, _out, _data }.Concat(_compute.All))
            Options.Add(option);
        SetAction((result, cancel) => Task.FromResult(Cli.Run(() =>
        {
            var settings = BuildSettings(result);
            SensitivitySweep.Run(settings, new ConsoleRunLog(), cancel);
            Console.Write(File.ReadAllText(Path.Combine(settings.Out, "sweep.md")));
            return 0;
        })));
    }

    internal SweepSettings BuildSettings(ParseResult r)
    {
        var models = List(r.GetValue(_models)!).Select(m => ModelCatalog.Default.Get(m).Name).ToList();
        var attacks = List(r.GetValue(_attacks)!).Select(a => AttackCatalog.Default.Get(a).Name).ToList();
        int defenseEpochs = r.GetValue(_defenseEpochs);
        CommonOptions.Positive("--defense-epochs", defenseEpochs);
        CommonOptions.Positive("--attack-epochs", r.GetValue(_attackEpochs));
        CommonOptions.Fraction("--clean-ratio", r.GetValue(_cleanRatio));
        var earlyStop = new EarlyStopOptions(Enabled: r.GetValue(_earlyStop));
        var variants = List(r.GetValue(_variants)!).Select(v => Variant(v, defenseEpochs, earlyStop)).ToList();
        if (r.GetValue(_d3Lr) is double lr)
        {
            CommonOptions.Positive("--d3-lr", lr);
            variants = variants.Select(v => new D3Variant($"{v.Label}-lr{lr.ToString(CultureInfo.InvariantCulture)}", v.Options with { LearningRate = lr })).ToList();
        }
        var seeds = List(r.GetValue(_seeds)!).Select(s => long.TryParse(s, out long seed) ? seed : throw new AntidoteException($"--seeds: '{s}' is not an integer")).ToList();
        var widths = new Dictionary<string, int>();
        foreach (string pair in List(r.GetValue(_widths) ?? ""))
        {
            string[] parts = pair.Split('=');
            if (parts.Length != 2 || !int.TryParse(parts[1], out int width) || width < 1)
                throw new AntidoteException($"--widths: '{pair}' is not MODEL=WIDTH");
            widths[ModelCatalog.Default.Get(parts[0]).Name] = width;
        }
        return new SweepSettings(r.GetValue(_out)!, models, attacks, variants, seeds, DataDirectory: r.GetValue(_data), Widths: widths,
            AttackEpochs: r.GetValue(_attackEpochs), CleanRatio: r.GetValue(_cleanRatio),
            Compute: _compute.Settings(r));
    }

    private static D3Variant Variant(string text, int epochs, EarlyStopOptions earlyStop)
    {
        string[] atInit = text.Split('@');
        if (atInit.Length > 2 || (atInit.Length == 2 && !DefendCommand.Initializations.ContainsKey(atInit[1])))
            throw new AntidoteException($"--d3: '{text}': after @ comes one warm-up of {string.Join(", ", DefendCommand.Initializations.Keys)}");
        var variant = ModeVariant(atInit[0], epochs, earlyStop);
        return atInit.Length == 1 ? variant
            : new D3Variant($"{variant.Label}@{atInit[1]}", variant.Options with { Initialization = DefendCommand.Initializations[atInit[1]] });
    }

    private static D3Variant ModeVariant(string text, int epochs, EarlyStopOptions earlyStop)
    {
        string[] parts = text.Split(':');
        bool hasNumber = parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        double number = hasNumber ? double.Parse(parts[1], CultureInfo.InvariantCulture) : double.NaN;
        var baseline = new D3Options(Epochs: epochs, EarlyStop: earlyStop);
        return parts[0] switch
        {
            "fixed" when hasNumber && number >= 0 => new D3Variant($"fixed-{parts[1]}", baseline with { Lambda = number }),
            "dual" when parts.Length == 1 => new D3Variant("dual", baseline with { LambdaMode = LambdaMode.Dual }),
            "dual" when hasNumber && number > 0 => new D3Variant($"dual-{parts[1]}", baseline with { LambdaMode = LambdaMode.Dual, Dual = new DualAscentOptions(Step: number) }),
            "dual-holdout" when parts.Length == 1 => new D3Variant("dual-holdout", baseline with { LambdaMode = LambdaMode.Dual, ConstraintHoldout = 0.2 }),
            "dual-holdout" when hasNumber && number > 0 && number < 1 => new D3Variant($"dual-holdout-{parts[1]}", baseline with { LambdaMode = LambdaMode.Dual, ConstraintHoldout = number }),
            _ => throw new AntidoteException($"--d3: '{text}' is not fixed:LAMBDA, dual, dual:STEP or dual-holdout[:FRACTION]"),
        };
    }

    private static IEnumerable<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
