using System.Globalization;
using System.Text;

using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Demo;

/// <summary>Renders rows as an aligned Markdown table (readable in a terminal and in a README).</summary>
public static class ResultTable
{
    public static string Format(IReadOnlyList<DemoRow> rows)
    {
        var lines = new List<string[]> { new[] { "", "ACC %", "ASR %", "RA %", "DER %", "time" } };
        foreach (var r in rows)
            lines.Add([
                r.Label,
                Percent(r.Result.Accuracy), Percent(r.Result.AttackSuccessRate), Percent(r.Result.RobustAccuracy),
                r.DefenseEffectiveness is double der ? Percent(der) : "-",
                $"{r.Seconds:F0} s",
            ]);
        int[] widths = Enumerable.Range(0, lines[0].Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            text.Append('|');
            for (int c = 0; c < widths.Length; c++)
                text.Append(' ').Append(c == 0 ? lines[i][c].PadRight(widths[c]) : lines[i][c].PadLeft(widths[c])).Append(" |");
            text.AppendLine();
            if (i == 0)
                text.Append('|').AppendJoin("", widths.Select((w, c) => c == 0 ? new string('-', w + 2) + "|" : new string('-', w + 1) + ":|")).AppendLine();
        }
        return text.ToString();
    }

    /// <summary>Where each run's wall time went, one line per row: "No defense: 352 s (data 3 s, train 338 s, ...)".</summary>
    public static string FormatStages(IReadOnlyList<DemoRow> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows.Where(r => r.Stages is { Count: > 0 }))
            text.Append(row.Label).Append(": ").Append(row.Stages!.Sum(s => s.Seconds).ToString("F0", CultureInfo.InvariantCulture))
                .Append(" s (").Append(StageClock.Describe(row.Stages!)).AppendLine(")");
        return text.ToString();
    }

    private static string Percent(double value) => (100 * value).ToString("F2", CultureInfo.InvariantCulture);
}
