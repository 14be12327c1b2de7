using System.CommandLine;
using System.Globalization;
using Antidote.Attacks;
using Antidote.Cli.Assets;
using Antidote.Cli.Terminal;
using Antidote.Defenses;
using Antidote.Defenses.FineTuning;
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
    private readonly Option<string> _variants = new("--d3") { Description = "Comma-separated defense settings: fixed:LAMBDA, dual[:STEP], dual-holdout[:FRACTION] (D3) or ft, each with optional +lr=X, +init=NAME, +steps=N (floor on SGD steps), +epochs=N (e.g. fixed:10+init=middle,ft)", DefaultValueFactory = _ => "fixed:0.5,fixed:10,dual" };
    private readonly Option<string> _seeds = new("--seeds") { Description = "Comma-separated defense seeds", DefaultValueFactory = _ => "0,1,2" };
    private readonly Option<string?> _widths = new("--widths") { Description = "Model widths, e.g. preact-resnet18=16 (others: their default)" };
    private readonly Option<double?> _d3Lr = new("--d3-lr") { Description = "D3 learning rate for every variant (default: each mode's own, 0.01 fixed, 0.005 dual); labels get -lrVALUE" };
    private readonly Option<int> _attackEpochs = new("--attack-epochs") { Description = "Epochs of backdoor training", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _defenseEpochs = new("--defense-epochs") { Description = "Epochs of every variant (default: D3's)", DefaultValueFactory = _ => new D3Options().Epochs };
    private readonly Option<string> _cleanRatios = new("--clean-ratios") { Description = "Comma-separated clean fractions the defender holds, one cell each (paper: 0.05)", DefaultValueFactory = _ => "0.05" };
    private readonly Option<string> _blendTrigger = new("--blend-trigger") { Description = "Trigger of blend attacks: photo (as BackdoorBench; scikit-image's astronaut.png from Debian) or noise", DefaultValueFactory = _ => "photo" };
    private readonly Option<bool> _earlyStop = new("--early-stop") { Description = "Stop D3 where its clean-data rule fires" };
    private readonly Option<string> _out = new("--out") { Description = "Sweep folder (finished runs in it are reused)", DefaultValueFactory = _ => "runs/sweep" };
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new();

    public SweepCommand() : base("sweep", "Compare defense settings (D3's λ rule, lr, warm-up, steps; FT) across attacks, models, clean-set sizes and seeds")
    {
        _blendTrigger.AcceptOnlyFromAmong("photo", "noise");
        foreach (var option in new Option[] { _models, _attacks, _variants, _d3Lr, _seeds, _widths, _attackEpochs, _defenseEpochs, _cleanRatios, _blendTrigger, _earlyStop, _out, _data }.Concat(_compute.All))
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
        var models = List(r.GetValue(_models)!).Select(m => ModelCatalog.Default.Get(m).Name).ToList();
        var attacks = List(r.GetValue(_attacks)!).Select(a => AttackCatalog.Default.Get(a).Name).ToList();
        int defenseEpochs = r.GetValue(_defenseEpochs);
        CommonOptions.Positive("--defense-epochs", defenseEpochs);
        CommonOptions.Positive("--attack-epochs", r.GetValue(_attackEpochs));
        var earlyStop = new EarlyStopOptions(Enabled: r.GetValue(_earlyStop));
        var variants = List(r.GetValue(_variants)!).Select(v => Variant(v, defenseEpochs, earlyStop)).ToList();
        if (r.GetValue(_d3Lr) is double lr)
        {
            CommonOptions.Positive("--d3-lr", lr);
            variants = variants.Select(v => v.Options.D3 is { } d3
                ? v with { Label = $"{v.Label}-lr{lr.ToString(CultureInfo.InvariantCulture)}", Options = v.Options with { D3 = d3 with { LearningRate = lr } } }
                : v).ToList();
        }
        var cleanRatios = List(r.GetValue(_cleanRatios)!).Select(text =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
                throw new AntidoteException($"--clean-ratios: '{text}' is not a number");
            CommonOptions.Fraction("--clean-ratios", ratio);
            return ratio;
        }).ToList();
        string? triggerImage = attacks.Any(a => AttackCatalog.Default.Get(a).UsesTriggerImage) && r.GetValue(_blendTrigger) == "photo"
            ? DebianAssets.EnsureTriggerPhoto() : null;
        var seeds = List(r.GetValue(_seeds)!).Select(s => long.TryParse(s, out long seed) ? seed : throw new AntidoteException($"--seeds: '{s}' is not an integer")).ToList();
        var widths = new Dictionary<string, int>();
        foreach (string pair in List(r.GetValue(_widths) ?? ""))
        {
            string[] parts = pair.Split('=');
            if (parts.Length != 2 || !int.TryParse(parts[1], out int width) || width < 1)
                throw new AntidoteException($"--widths: '{pair}' is not MODEL=WIDTH");
            widths[ModelCatalog.Default.Get(parts[0]).Name] = width;
        }
        return new SweepSettings(r.GetValue(_out)!, models, attacks, variants, seeds, cleanRatios, DataDirectory: r.GetValue(_data),
            TriggerImage: triggerImage, Widths: widths, AttackEpochs: r.GetValue(_attackEpochs), Compute: _compute.Settings(r));
    }

    /// <summary>
    /// A variant is BASE[@INIT][+MOD...]: BASE is fixed:LAMBDA, dual, dual:STEP, dual-holdout[:FRACTION] (D3) or ft; MOD is
    /// lr=X, init=NAME, steps=N (a floor on SGD steps), epochs=N or dualunit=N|epoch (SGD steps per unit of the dual step). Its label is the text without '=' and with ':' as '-'.
    /// </summary>
    internal static SweepVariant Variant(string text, int epochs, EarlyStopOptions earlyStop)
    {
        string[] mods = text.Split('+');
        string[] atInit = mods[0].Split('@');
        if (atInit.Length > 2)
            throw new AntidoteException($"--d3: '{text}': one @INIT at most");
        var variant = BaseVariant(atInit[0], epochs, earlyStop);
        foreach (string mod in (atInit.Length == 2 ? ["init=" + atInit[1]] : Array.Empty<string>()).Concat(mods[1..]))
            variant = Modified(variant, mod, text);
        string label = text.Replace("=", "").Replace(':', '-');
        return variant with { Label = label };
    }

    private static SweepVariant BaseVariant(string text, int epochs, EarlyStopOptions earlyStop)
    {
        string[] parts = text.Split(':');
        bool hasNumber = parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        double number = hasNumber ? double.Parse(parts[1], CultureInfo.InvariantCulture) : double.NaN;
        var baseline = new D3Options(Epochs: epochs, EarlyStop: earlyStop);
        SweepVariant D3(D3Options options) => new(text, "d3", new DefenseOptions(D3: options));
        return parts[0] switch
        {
            "fixed" when hasNumber && number >= 0 => D3(baseline with { LambdaMode = LambdaMode.Fixed, Lambda = number }),
            "dual" when parts.Length == 1 => D3(baseline with { LambdaMode = LambdaMode.Dual }),
            "dual" when hasNumber && number > 0 => D3(baseline with { LambdaMode = LambdaMode.Dual, Dual = new DualAscentOptions(Step: number) }),
            "dual-holdout" when parts.Length == 1 => D3(baseline with { LambdaMode = LambdaMode.Dual, ConstraintHoldout = 0.2 }),
            "dual-holdout" when hasNumber && number > 0 && number < 1 => D3(baseline with { LambdaMode = LambdaMode.Dual, ConstraintHoldout = number }),
            "ft" when parts.Length == 1 => new SweepVariant(text, "ft", new DefenseOptions(FineTuning: new FineTuningOptions(Epochs: epochs))),
            _ => throw new AntidoteException($"--d3: '{text}' is not fixed:LAMBDA, dual, dual:STEP, dual-holdout[:FRACTION] or ft"),
        };
    }

    private static SweepVariant Modified(SweepVariant variant, string mod, string text)
    {
        string[] kv = mod.Split('=');
        string error = $"--d3: '{text}': '{mod}' is not lr=X, init=NAME, steps=N, epochs=N or dualunit=N|epoch";
        if (kv.Length != 2) throw new AntidoteException(error);
        var d3 = variant.Options.D3;
        var ft = variant.Options.FineTuning;
        double Number(bool integer, bool allowZero = false)
        {
            if (!double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0 || (allowZero && value == 0))
                || double.IsInfinity(value) || (integer && value != Math.Floor(value)))
                throw new AntidoteException(error);
            return value;
        }
        DefenseOptions options = kv[0] switch
        {
            "lr" => new DefenseOptions(d3 is null ? null : d3 with { LearningRate = Number(false) }, ft is null ? null : ft with { LearningRate = Number(false) }),
            "steps" => new DefenseOptions(d3 is null ? null : d3 with { MinSteps = (int)Number(true, allowZero: true) }, ft is null ? null : ft with { MinSteps = (int)Number(true, allowZero: true) }),
            "epochs" => new DefenseOptions(d3 is null ? null : d3 with { Epochs = (int)Number(true) }, ft is null ? null : ft with { Epochs = (int)Number(true) }),
            "init" when d3 is not null && DefendCommand.Initializations.TryGetValue(kv[1], out var init) => new DefenseOptions(d3 with { Initialization = init }),
            "dualunit" when d3 is not null => new DefenseOptions(d3 with { Dual = d3.DualOrDefault with { StepsPerUnit = kv[1] == "epoch" ? 0 : (int)Number(true, allowZero: true) } }),
            "init" => throw new AntidoteException($"--d3: '{text}': init takes one of {string.Join(", ", DefendCommand.Initializations.Keys)} (D3 only)"),
            _ => throw new AntidoteException(error),
        };
        return variant with { Options = options };
    }

    private static IEnumerable<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
