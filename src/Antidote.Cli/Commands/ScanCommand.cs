using System.CommandLine;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Experiments.Scan;

namespace Antidote.Cli.Commands;

/// <summary>`antidote scan`: is there a backdoor in this run's model? Answered from clean data alone.</summary>
public sealed class ScanCommand : Command
{
    private readonly Option<string> _run = CommonOptions.Run();
    private readonly Option<double> _cleanRatio = CommonOptions.CleanRatio();
    private readonly Option<double> _holdout = CommonOptions.Holdout();
    private readonly ComponentOptionsBinder _search = new("scan", typeof(TriggerSearchOptions));
    private readonly Option<bool> _compare = new("--compare-input") { Description = "For a defense run: also scan the model the defense started from (twice the time) and say whether its easiest class to reach still is one after the defense (read by --scan-survival-*)" };
    private readonly ComponentOptionsBinder _survival = new("scan-survival", typeof(SurvivalRule));
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();
    private readonly ComputeOptions _compute = new();

    public ScanCommand() : base("scan", "Look for a backdoor without knowing the trigger: reverse-engineer each class's smallest trigger " +
        "from clean data (Neural Cleanse), flag classes whose trigger is anomalously small, and measure each trigger on held-out images. " +
        "A defense run is scanned on the clean rows it was given. Search options are --scan-* (Neural Cleanse's, BackdoorBench's defaults)")
    {
        foreach (var option in new Option[] { _run, _cleanRatio, _holdout }.Concat(_search.Options).Concat([_compare]).Concat(_survival.Options).Concat([_seed, _data, _name, _force]).Concat(_compute.All))
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            CommonOptions.Fraction("--clean-ratio", r.GetValue(_cleanRatio));
            double holdout = r.GetValue(_holdout);
            if (!(holdout > 0 && holdout < 1)) throw new Core.AntidoteException($"--holdout must be in (0, 1), got {holdout}");
            var settings = new ScanSettings(r.GetValue(_run)!, (TriggerSearchOptions)_search.Bind(r), r.GetValue(_cleanRatio), holdout,
                r.GetValue(_seed), r.GetValue(_data), _compute.Settings(r), r.GetValue(_compare), Rule(r));
            var location = ScanExperiment.DefaultLocation(settings, r.GetValue(_force));
            if (r.GetValue(_name) is string name) location = location with { Name = name };
            var summary = ScanExperiment.Run(settings, location, new ConsoleRunLog(), Cli.Interrupt);
            Print(summary);
            Console.WriteLine($"-> {location.Path}");
            return 0;
        }));
    }

    private SurvivalRule Rule(ParseResult r)
    {
        if (!r.GetValue(_compare) && _survival.Given(r) is [var flag, ..])
            throw new Core.AntidoteException($"{flag} reads the comparison, which runs only with --compare-input");
        return (SurvivalRule)_survival.Bind(r);
    }

    internal static void Print(ScanSummary summary)
    {
        var report = summary.Report;
        Console.WriteLine("| class | trigger L1 norm | anomaly index | held-out success |");
        Console.WriteLine("|--:|--:|--:|--:|");
        foreach (var c in report.Classes)
            Console.WriteLine($"| {c.Class}{(report.Flagged.Contains(c.Class) ? " (flagged)" : "")} | {c.MaskNorm:F2} | {c.AnomalyIndex:F2} | {c.HeldOutSuccess:P1} |");
        Console.WriteLine(report.Verdict);
        if (summary.Before is { } before) Console.WriteLine($"before the defense: {before.Verdict}");
        if (summary.Survival is { } survival) Console.WriteLine($"survival: {survival.Verdict}");
        if (summary.Measured is { } measured)
            Console.WriteLine($"the run itself measured, with the real trigger (not used by the scan): ACC {measured.Accuracy:P2} ASR {measured.AttackSuccessRate:P2}");
    }
}
