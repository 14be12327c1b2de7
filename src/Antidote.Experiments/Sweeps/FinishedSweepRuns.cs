using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// The finished defense runs a sweep folder holds, whichever invocation made them, found by their run records (run.json)
/// and the tags the sweep gave them: a sweep run in pieces (one attack or variant per call, two processes on two cores)
/// still gets one table over everything in its folder.
/// </summary>
public static class FinishedSweepRuns
{
    public static IReadOnlyList<SweepRow> In(string folder, IRunLog log)
    {
        var rows = new List<SweepRow>();
        if (!Directory.Exists(folder)) return rows;
        foreach (string run in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string summary = Path.Combine(run, RunFiles.Summary);
            try
            {
                if (!File.Exists(summary) || RunRecord.TryRead(run) is not { Kind: RunRecord.DefenseKind, Tags: { } tags } record) continue;
                if (!tags.TryGetValue("model", out var model) || !tags.TryGetValue("attack", out var attack) || !tags.TryGetValue("variant", out var variant)) continue;
                rows.Add(new SweepRow(model, attack, variant, record.Seed, RunJson.Read<DefenseSummary>(summary)));
            }
            catch (AntidoteException e)
            {
                log.Info($"sweep: leaving {Path.GetFileName(run)} out of the table: {e.Message}");
            }
        }
        return rows;
    }
}
