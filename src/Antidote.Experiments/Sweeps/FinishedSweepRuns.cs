using System.Globalization;
using System.Text.RegularExpressions;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// The finished D3 runs a sweep folder holds, whichever invocation made them: a sweep run in pieces (one attack or
/// variant per call, two processes on two cores) still gets one table over everything in its folder.
/// </summary>
public static class FinishedSweepRuns
{
    // SensitivitySweep.RunName: {attack run}--{variant}-r{clean ratio}-s{seed}, beside the attack run folder.
    private static readonly Regex RunName = new(@"^(?<attack>.+?)--(?<variant>.+)-r(?<ratio>[0-9.Ee+-]+)-s(?<seed>\d+)$", RegexOptions.CultureInvariant);

    public static IReadOnlyList<SweepRow> In(string folder, IRunLog log)
    {
        var rows = new List<SweepRow>();
        if (!Directory.Exists(folder)) return rows;
        foreach (string run in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = RunName.Match(Path.GetFileName(run));
            if (!name.Success) continue;
            string summary = Path.Combine(run, RunFiles.Summary);
            string attackConfig = Path.Combine(folder, name.Groups["attack"].Value, RunFiles.Config);
            if (!File.Exists(summary) || !File.Exists(attackConfig)) continue;
            try
            {
                var attack = RunJson.Read<AttackRunConfig>(attackConfig);
                rows.Add(new SweepRow(attack.Model, attack.Attack, name.Groups["variant"].Value,
                    long.Parse(name.Groups["seed"].Value, CultureInfo.InvariantCulture), RunJson.Read<DefenseSummary>(summary)));
            }
            catch (AntidoteException e)
            {
                log.Info($"sweep: leaving {Path.GetFileName(run)} out of the table: {e.Message}");
            }
        }
        return rows;
    }
}
