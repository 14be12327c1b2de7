using System.Globalization;
using System.Text;
using System.Text.Json;
using Antidote.Core;

namespace Antidote.Experiments.Results;

/// <summary>
/// The paper's table from the store: a row per (model, attack, clean-set size), a column per defense (the sweep's variant
/// label, else the method), and "no defense" (the model before); each cell ACC / ASR / DER in %, mean ± sd over seeds,
/// and the mean wall time of its runs.
/// </summary>
public sealed class ResultsPivot
{
    public const string NoDefense = "no defense";

    public sealed record Cell(int Seeds, Stat Accuracy, Stat Asr, Stat? Der, double? Seconds);

    public sealed record Stat(double Mean, double Sd)
    {
        public static Stat Of(IReadOnlyList<double> values)
        {
            double mean = values.Average();
            double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
            return new Stat(mean, sd);
        }

        public string Percent(bool withSd) => withSd
            ? string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F2}±{100 * Sd:F2}")
            : string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F2}");
    }

    public sealed record Row(string Model, string Attack, int? CleanSamples, IReadOnlyDictionary<string, Cell> Cells);

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<Row> Rows { get; }

    /// <param name="columns">The defense columns to show, in this order (a paper's order rather than the alphabet's);
    /// null: every defense in the store, alphabetically. "no defense" always comes first.</param>
    public ResultsPivot(IReadOnlyList<StoredRun> runs, IReadOnlyList<string>? columns = null)
    {
        var defenses = runs.Where(r => r.Kind == "defense").ToList();
        var stored = defenses.Select(Column).Distinct().Order(StringComparer.Ordinal).ToList();
        if (columns is not null && columns.FirstOrDefault(c => !stored.Contains(c)) is string missing)
            throw new AntidoteException($"no defense '{missing}' in this results store; it has: {string.Join(", ", stored)}");
        Columns = [NoDefense, .. columns?.Distinct() ?? stored];
        Rows = defenses.GroupBy(r => (r.Model, r.Attack, r.CleanSamples))
            .OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Attack, StringComparer.Ordinal).ThenBy(g => g.Key.CleanSamples)
            .Select(g =>
            {
                var cells = g.GroupBy(Column).ToDictionary(c => c.Key, c => new Cell(c.Count(),
                    Stat.Of(c.Select(r => r.Accuracy).ToList()), Stat.Of(c.Select(r => r.Asr).ToList()),
                    c.All(r => r.Der is not null) ? Stat.Of(c.Select(r => r.Der!.Value).ToList()) : null, c.Average(r => r.Seconds)));
                // Before a defense every run of an attack model measures the same model: one value, no spread over defense seeds.
                var before = g.Where(r => r.AccuracyBefore is not null).ToList();
                if (before.Count > 0)
                    cells[NoDefense] = new Cell(1, new Stat(before[0].AccuracyBefore!.Value, 0), new Stat(before[0].AsrBefore!.Value, 0), null, null);
                return new Row(g.Key.Model, g.Key.Attack, g.Key.CleanSamples, cells);
            }).ToList();
    }

    private static string Column(StoredRun run) => run.Variant ?? run.Method ?? "?";

    /// <param name="seconds">Each defense cell also gives its runs' mean wall time ("· 83 s").</param>
    public string Markdown(bool seconds = false)
    {
        var text = new StringBuilder();
        text.AppendLine($"| model | attack | clean | {string.Join(" | ", Columns)} |");
        text.AppendLine($"|---|---|---|{string.Concat(Columns.Select(_ => "---|"))}");
        foreach (var row in Rows)
            text.AppendLine($"| {row.Model} | {row.Attack} | {row.CleanSamples} | {string.Join(" | ", Columns.Select(c => Text(row, c, seconds)))} |");
        text.AppendLine();
        text.AppendLine("Cells: ACC / ASR / DER in %, mean±sd over seeds (n = seeds where more than one; no defense: the backdoored model)" +
                        (seconds ? "; · mean wall time of a defense run." : "."));
        return text.ToString();
    }

    public string Csv()
    {
        var csv = new StringBuilder("model,attack,clean,defense,seeds,acc_mean,acc_sd,asr_mean,asr_sd,der_mean,der_sd,seconds_mean\n");
        foreach (var row in Rows)
            foreach (var column in Columns)
                if (row.Cells.TryGetValue(column, out var c))
                    csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Model},{row.Attack},{row.CleanSamples},{column},{c.Seeds},{c.Accuracy.Mean:F4},{c.Accuracy.Sd:F4},{c.Asr.Mean:F4},{c.Asr.Sd:F4},{c.Der?.Mean:F4},{c.Der?.Sd:F4},{c.Seconds:F1}"));
        return csv.ToString();
    }

    public string Json() => JsonSerializer.Serialize(Rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });

    /// <summary>A cell as the Markdown table shows it ("" where the row has no such defense).</summary>
    public string CellText(Row row, string column) => Text(row, column, seconds: false);

    private static string Text(Row row, string column, bool seconds)
    {
        if (!row.Cells.TryGetValue(column, out var c)) return "";
        bool sd = c.Seeds > 1;
        string der = c.Der is null ? "" : $" / {c.Der.Percent(sd)}";
        string time = seconds && c.Seconds is double s ? string.Create(CultureInfo.InvariantCulture, $" · {s:F0} s") : "";
        return $"{c.Accuracy.Percent(sd)} / {c.Asr.Percent(sd)}{der}{(sd ? $" (n={c.Seeds})" : "")}{time}";
    }
}
