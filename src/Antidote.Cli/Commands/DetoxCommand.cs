using System.CommandLine;
using System.Globalization;
using Antidote.Attacks;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Data;
using Antidote.Data.ImageFolder;
using Antidote.Defenses;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Experiments.Detox;
using Antidote.Experiments.Runs;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote detox`: clean a checkpoint someone already has (PyTorch, safetensors or Antidote's) on their images.</summary>
public sealed class DetoxCommand : Command, IChoosesComponents
{
    /// <summary>Normalisation presets: the CIFAR-10 statistics Antidote's cifar10 dataset uses (BackdoorBench's), torchvision's
    /// ImageNet ones, or none.</summary>
    private static readonly Dictionary<string, (float[] Mean, float[] Std)> Presets = new()
    {
        ["none"] = ([0f, 0f, 0f], [1f, 1f, 1f]),
        ["cifar10"] = (DatasetCatalog.Default.Get("cifar10").Info.Mean, DatasetCatalog.Default.Get("cifar10").Info.Std),
        ["imagenet"] = ([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]),
    };

    private readonly Option<string> _weights = new("--weights") { Description = "The checkpoint: a torch.save state dict (.pt/.pth/.bin; a \"module.\" prefix or a nested \"state_dict\" is found), safetensors, or Antidote's", Required = true };
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly RegistryOptions<ModelEntry> _models = new(ModelCatalog.Default);
    private readonly Option<int> _classes = new("--classes") { Description = "Classes the model predicts", Required = true };
    private readonly Option<string> _input = new("--input") { Description = "Input the model takes, CxHxW (e.g. 3x224x224); images are resized and center-cropped to it", Required = true };
    private readonly Option<string> _normalize = new("--normalize") { Description = "Normalisation after scaling pixels to [0, 1], as the model was trained: none, cifar10, imagenet, or MEAN,MEAN,MEAN/STD,STD,STD", DefaultValueFactory = _ => "none" };
    private readonly Option<string> _clean = new("--clean") { Description = "Folder of clean images, one sub-folder per class (sorted names = labels 0..N-1), as torchvision's ImageFolder", Required = true };
    private readonly Option<double> _holdout = CommonOptions.Holdout();
    private readonly Option<string?> _triggered = new("--triggered") { Description = "Folder of images carrying the suspected trigger (class sub-folders give true labels); with --target, ASR before and after" };
    private readonly Option<string?> _attack = new("--suspected-attack") { Description = "Suspected attack to plant on the held-out images for ASR, one whose trigger a defender can make (badnets, blended, sig, bpp; its options are --{attack}-*)" };
    private readonly Option<int> _target = new("--target", "--attack-target") { Description = "The attack's target label, all-to-one (BackdoorBench: 0)", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _method = CommonOptions.Method();
    // Off by default: at Neural Cleanse's 80 passes a scan on 2-core CPU costs about 3 min per 300 clean images and 10 classes, twice.
    private readonly Option<bool> _scanFlag = new("--scan") { Description = "Look for a backdoor before and after the defense without knowing the trigger (Neural Cleanse's trigger search on the clean images; its options are --scan-*; costs roughly 2 x classes x scan-epochs passes over the clean training part)" };
    private readonly ComponentOptionsBinder _scan = new("scan", typeof(TriggerSearchOptions));
    private readonly ComponentOptionsBinder _survival = new("scan-survival", typeof(SurvivalRule));
    private readonly RegistryOptions<DefenseEntry> _defenses = new(DefenseCatalog.Default);
    private readonly RegistryOptions<AttackEntry> _attacks = new(AttackCatalog.Default);
    private readonly Option<string> _out = CommonOptions.Out("runs");
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly ComputeOptions _compute = new(precision: true);
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();
    private readonly Option<string?> _config = ConfigArguments.Option();

    public DetoxCommand() : base("detox", "Clean a model you already have: load its checkpoint, run D3 (or --method) on your clean images, " +
        "report ACC (and ASR) on held-out images before and after, and write the cleaned weights in the checkpoint's format and key names")
    {
        foreach (var option in new Option[] { _weights, _model }.Concat(_models.All).Concat([_classes, _input, _normalize, _clean, _holdout, _triggered, _attack, _target])
                     .Concat(_attacks.All).Concat([_method]).Concat(_defenses.All).Concat([_scanFlag]).Concat(_scan.Options).Concat(_survival.Options).Concat([_seed, _out, _name, _force, _config]).Concat(_compute.All))
            Options.Add(option);
        SetAction(result => Cli.Run(() => Execute(result, Cli.Interrupt)));
    }

    public IEnumerable<ChosenComponent> Chosen(ParseResult r) =>
        new[] { _models.Chosen(r, _model), _defenses.Chosen(r, _method), _attacks.Chosen(r, _attack) }.OfType<ChosenComponent>();

    private int Execute(ParseResult r, CancellationToken cancel)
    {
        var settings = BuildSettings(r);
        var location = new RunLocation(r.GetValue(_out)!, r.GetValue(_name) ?? DetoxExperiment.DefaultName(settings), r.GetValue(_force));
        var s = DetoxExperiment.Run(settings, location, new ConsoleRunLog(), cancel);
        Console.WriteLine($"before: {Describe(s.Before)}");
        Console.WriteLine($"after:  {Describe(s.After)}  ({s.Seconds:F0} s; {s.TrainImages} images trained on, {s.HeldOutImages} held out" +
                          (s.TriggeredImages > 0 ? $", {s.TriggeredImages} triggered)" : ")"));
        if (s.ScanBefore is { } scanBefore && s.ScanAfter is { } scanAfter)
        {
            Console.WriteLine($"scan before: {scanBefore.Verdict}");
            Console.WriteLine($"scan after:  {scanAfter.Verdict}");
            if (s.Survival is { } survival) Console.WriteLine($"survival:    {survival.Verdict}");
        }
        else if (double.IsNaN(s.Before.AttackSuccessRate))
            Console.WriteLine("no trigger was given, so ASR is unknown: add --scan to look for a backdoor from the clean images before and after");
        Console.WriteLine($"cleaned weights: {Path.Combine(location.Parent, s.Output)} ({s.Format}{(s.KeyPrefix.Length > 0 ? $", keys under '{s.KeyPrefix}'" : "")}); run folder {location.Path}");
        return 0;
    }

    private static string Describe(Antidote.Core.Metrics.EvaluationResult r) =>
        $"ACC {r.Accuracy:P2}" + (double.IsNaN(r.AttackSuccessRate) ? "" : $"  ASR {r.AttackSuccessRate:P2}") + (double.IsNaN(r.RobustAccuracy) ? "" : $"  RA {r.RobustAccuracy:P2}");

    internal DetoxSettings BuildSettings(ParseResult r)
    {
        var compute = _compute.Settings(r);
        ComputeOptions.Supports(compute, DefenseCatalog.Default.Get(r.GetValue(_method)!));
        string weights = r.GetValue(_weights)!;
        if (!File.Exists(weights)) throw new AntidoteException($"--weights {weights} not found");
        if (r.GetResult(_model) is not { Implicit: false })
            throw new AntidoteException("--model is required: the architecture of the checkpoint (see `antidote list`)");
        int classes = r.GetValue(_classes);
        if (classes < 2) throw new AntidoteException($"--classes must be >= 2, got {classes}");
        var input = Input(r.GetValue(_input)!);
        var (mean, std) = Normalization(r.GetValue(_normalize)!, input.Channels);
        double holdout = r.GetValue(_holdout);
        if (!(holdout > 0 && holdout < 1)) throw new AntidoteException($"--holdout must be in (0, 1), got {holdout}");
        string? triggered = r.GetValue(_triggered), attack = r.GetValue(_attack);
        if (triggered is not null && attack is not null) throw new AntidoteException("--triggered and --suspected-attack exclude each other");
        int target = r.GetValue(_target);
        if (target < 0 || target >= classes) throw new AntidoteException($"--target must be a label (0..{classes - 1}), got {target}");
        if (attack is not null && AttackCatalog.Default.Contains(attack) && AttackCatalog.Default.Get(attack).SecretTrigger is { } secret)
            throw new AntidoteException($"--suspected-attack {attack}: its trigger is {secret}, which only the attacker has; " +
                                        "pass images the attacker triggered with --triggered DIR");
        var attackOptions = attack is null ? null : (IAttackOptions)_attacks.Bind(r, attack);
        if (attack is null && _attacks.All.Any(o => r.GetResult(o) is { Implicit: false }))
            throw new AntidoteException("attack options need --suspected-attack");
        var scan = ScanOptions(r);
        return new DetoxSettings(Path.GetFullPath(weights), (IModelOptions)_models.Bind(r, r.GetValue(_model)!), classes, input, mean, std,
            Path.GetFullPath(r.GetValue(_clean)!), (IDefenseOptions)_defenses.Bind(r, r.GetValue(_method)!), holdout,
            triggered is null ? null : Path.GetFullPath(triggered), attackOptions, target, r.GetValue(_seed), compute,
            scan, scan is null ? null : (SurvivalRule)_survival.Bind(r));
    }

    private TriggerSearchOptions? ScanOptions(ParseResult r)
    {
        if (r.GetValue(_scanFlag)) return (TriggerSearchOptions)_scan.Bind(r);
        if (_scan.Given(r).Concat(_survival.Given(r)).FirstOrDefault() is string flag)
            throw new AntidoteException($"{flag} sets the scan, which runs only with --scan");
        return null;
    }

    private static ImageShape Input(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0))
            throw new AntidoteException($"--input '{text}' is not CxHxW (e.g. 3x32x32)");
        var (c, h, w) = (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        if (c is not (1 or 3)) throw new AntidoteException($"--input: {c} channels; images are read as grayscale (1) or RGB (3)");
        if (h > ModelSpec.MaxSide || w > ModelSpec.MaxSide) throw new AntidoteException($"--input: sides up to {ModelSpec.MaxSide}, got {h}x{w}");
        return new ImageShape(c, h, w);
    }

    private static (float[] Mean, float[] Std) Normalization(string text, int channels)
    {
        if (Presets.TryGetValue(text, out var preset))
            return (preset.Mean[..channels], preset.Std[..channels]);
        var halves = text.Split('/');
        float[]? Parse(string part) => part.Split(',').Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f : float.NaN).ToArray();
        if (halves.Length == 2 && Parse(halves[0]) is { } mean && Parse(halves[1]) is { } std && mean.Length == channels && std.Length == channels
            && mean.All(float.IsFinite) && std.All(s => float.IsFinite(s) && s > 0))
            return (mean, std);
        throw new AntidoteException($"--normalize '{text}' is not none, cifar10, imagenet, or {channels} means/{channels} positive stds (e.g. 0.5,0.5,0.5/0.5,0.5,0.5)");
    }
}
