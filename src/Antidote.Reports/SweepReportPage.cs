using System.Net;
using System.Text;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Core.Logging;
using Antidote.Experiments.Analysis;
using Antidote.Experiments.Gallery;
using Antidote.Experiments.Results;
using Antidote.Experiments.Runs;
using Antidote.Models;

namespace Antidote.Reports;

/// <summary>What `antidote report` reads and writes.</summary>
/// <param name="Folder">The sweep folder (its run folders and results.db).</param>
/// <param name="Output">The HTML page; the Markdown page and its PNG figures go beside it (NAME.md, NAME-figures/).</param>
/// <param name="PathImages">Test images the loss-along-the-line figure evaluates at each point.</param>
public sealed record ReportSettings(string Folder, string Output, string? DataDirectory = null, int PathImages = 1000, string? Store = null);

/// <summary>A figure of the report: a title, what it shows, and the PNG.</summary>
public sealed record Figure(string Title, string Caption, byte[] Png);

/// <summary>
/// One self-contained page about a sweep (HTML with the figures embedded, and Markdown with the figures as files): the
/// attack × defense table, an ACC-vs-ASR scatter of every defense run, ACC and ASR per epoch where the runs measured them,
/// D3's distance and λ per epoch, the clean and backdoor loss along the line from the backdoored model to FT's and D3's,
/// and each attack's trigger.
/// </summary>
public static class SweepReportPage
{
    public static IReadOnlyList<Figure> Write(ReportSettings settings, IRunLog log)
    {
        if (!Directory.Exists(settings.Folder)) throw new AntidoteException($"sweep folder {settings.Folder} not found");
        using var store = ResultStore.Open(settings.Store ?? Path.Combine(settings.Folder, ResultStore.DefaultFile), settings.Folder);
        var runs = store.Runs();
        if (runs.Count == 0) throw new AntidoteException($"the results store of {settings.Folder} holds no runs; run a sweep into it first");
        var defenses = runs.Where(r => r.Kind == RunRecord.DefenseKind).ToList();
        var attacks = runs.Where(r => r.Kind == RunRecord.AttackKind && Directory.Exists(Path.Combine(settings.Folder, r.Folder))).ToList();
        var figures = new List<Figure> { Scatter(defenses) };
        foreach (var attack in attacks)
        {
            var ofAttack = defenses.Where(d => ParentOf(settings.Folder, d) == attack.Folder).ToList();
            if (EpochCurves(store, attack, ofAttack) is { } curves) figures.Add(curves);
            if (D3Curves(store, attack, ofAttack) is { } d3) figures.AddRange(d3);
            if (LossAlongLine(settings, attack, ofAttack, log) is { } line) figures.Add(line);
            figures.Add(Trigger(settings, attack, log));
        }
        string html = Html(settings, new ResultsPivot(runs), figures);
        AtomicFile.WriteAllText(settings.Output, html);
        WriteMarkdown(settings, new ResultsPivot(runs), figures);
        log.Info($"report: {figures.Count} figures -> {settings.Output}");
        return figures;
    }

    private static Figure Scatter(IReadOnlyList<StoredRun> defenses)
    {
        var series = defenses.GroupBy(Label).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Series(g.Key, g.Select(r => 100 * r.Asr).ToList(), g.Select(r => 100 * r.Accuracy).ToList(), Points: true)).ToList();
        return new Figure("ACC against ASR", "Every defense run of the sweep (every attack, clean-set size and seed): up and to the left is better.",
            Chart.Draw("ACC against ASR, every defense run", "ASR (%)", "ACC (%)", series));
    }

    private static Figure? EpochCurves(ResultStore store, StoredRun attack, IReadOnlyList<StoredRun> runs)
    {
        var series = new List<Series>();
        int colour = 0;
        foreach (var run in FirstSeedPerLabel(runs))
        {
            var acc = store.EpochMetric(run.Folder, "acc");
            var asr = store.EpochMetric(run.Folder, "asr");
            if (acc.Count < 2) continue;
            series.Add(new Series($"{Label(run)} ACC", acc.Select(p => (double)p.Epoch).ToList(), acc.Select(p => 100 * p.Value).ToList(), Colour: colour));
            series.Add(new Series($"{Label(run)} ASR", asr.Select(p => (double)p.Epoch).ToList(), asr.Select(p => 100 * p.Value).ToList(), Dashed: true, Colour: colour));
            colour++;
        }
        return series.Count == 0 ? null : new Figure($"{attack.Attack}: ACC and ASR per epoch",
            "Test ACC (solid) and ASR (dashed) measured during each defense (its first seed); a sweep measures them with --eval-every N.",
            Chart.Draw($"{attack.Attack}: ACC (solid), ASR (dashed)", "epoch", "%", series));
    }

    private static IEnumerable<Figure>? D3Curves(ResultStore store, StoredRun attack, IReadOnlyList<StoredRun> runs)
    {
        var d3 = FirstSeedPerLabel(runs.Where(r => r.Method == "d3").ToList()).ToList();
        if (d3.Count == 0) return null;
        Series Of(StoredRun run, string metric, int i)
        {
            var values = store.EpochMetric(run.Folder, metric);
            return new Series(Label(run), values.Select(p => (double)p.Epoch).ToList(), values.Select(p => p.Value).ToList(), Colour: i);
        }
        return
        [
            new Figure($"{attack.Attack}: D3's distance per epoch", "‖θ − θ0‖ of the weights D3 pushes, after each epoch.",
                Chart.Draw($"{attack.Attack}: D3 distance", "epoch", "distance from the backdoored weights", d3.Select((r, i) => Of(r, "distance", i)).ToList())),
            new Figure($"{attack.Attack}: D3's λ per epoch", "The multiplier on the clean-loss constraint (dual mode moves it; fixed mode keeps it).",
                Chart.Draw($"{attack.Attack}: D3 λ", "epoch", "λ", d3.Select((r, i) => Of(r, "lambda", i)).ToList())),
        ];
    }

    private static Figure? LossAlongLine(ReportSettings settings, StoredRun attack, IReadOnlyList<StoredRun> runs, IRunLog log)
    {
        var ft = runs.Where(r => r.Method == "ft").OrderBy(r => r.Seed).ThenBy(r => r.Folder, StringComparer.Ordinal).FirstOrDefault();
        var d3 = runs.Where(r => r.Method == "d3").OrderBy(r => r.Seed).ThenBy(r => r.Folder, StringComparer.Ordinal).FirstOrDefault();
        if (ft is null && d3 is null) return null;
        var defended = new[] { ft, d3 }.OfType<StoredRun>().ToList();
        log.Info($"report: losses along the line from {attack.Folder} to {string.Join(" and ", defended.Select(r => r.Folder))}");
        var lines = LinePath.Measure(System.IO.Path.Combine(settings.Folder, attack.Folder),
            defended.Select(r => System.IO.Path.Combine(settings.Folder, r.Folder)).ToList(), LinePath.DefaultSteps, settings.DataDirectory, settings.PathImages);
        var series = new List<Series>();
        for (int colour = 0; colour < defended.Count; colour++)
        {
            var points = lines[colour];
            var t = points.Select(p => p.T).ToList();
            series.Add(new Series($"{Label(defended[colour])} clean", t, points.Select(p => p.CleanLoss).ToList(), Colour: colour));
            series.Add(new Series($"{Label(defended[colour])} backdoor", t, points.Select(p => p.BackdoorLoss).ToList(), Dashed: true, Colour: colour));
        }
        return new Figure($"{attack.Attack}: loss along θ0 + t·(θ − θ0)",
            $"Clean loss (solid) and backdoor loss (dashed: triggered images against the target) on {settings.PathImages} test images, t from −0.5 to 2; " +
            "t = 0 is the backdoored model, t = 1 the defended one (FT's and D3's first seed).",
            Chart.Draw($"{attack.Attack}: loss along the line", "t (0: backdoored, 1: defended)", "cross-entropy", series, [0, 1]));
    }

    private static Figure Trigger(ReportSettings settings, StoredRun attack, IRunLog log)
    {
        string png = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"antidote-trigger-{Guid.NewGuid():N}.png");
        try
        {
            var config = AttackRun.Open(System.IO.Path.Combine(settings.Folder, attack.Folder)).Config;
            AttackGallery.Write(new GallerySettings(System.IO.Path.Combine(settings.Folder, attack.Folder), null, config.Settings, config.Model,
                config.Dataset, settings.DataDirectory, 4, 0, png), log);
            return new Figure($"{attack.Attack}: the trigger", "Clean | poisoned | the difference magnified (as `antidote show-attack --run`).", File.ReadAllBytes(png));
        }
        finally
        {
            File.Delete(png);
        }
    }

    private static string? ParentOf(string folder, StoredRun run) =>
        RunRecord.TryRead(System.IO.Path.Combine(folder, run.Folder))?.ParentFolder(System.IO.Path.Combine(folder, run.Folder)) is string parent
            ? System.IO.Path.GetFileName(parent)
            : null;

    private static IEnumerable<StoredRun> FirstSeedPerLabel(IReadOnlyList<StoredRun> runs) =>
        runs.GroupBy(Label).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.OrderBy(r => r.Seed).ThenBy(r => r.CleanSamples).First());

    private static string Label(StoredRun run) => run.Variant ?? run.Method ?? "?";

    private static string Html(ReportSettings settings, ResultsPivot pivot, IReadOnlyList<Figure> figures)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Antidote report: {E(System.IO.Path.GetFileName(System.IO.Path.GetFullPath(settings.Folder)))}</title>
            <style>
            body {"{"} font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; {"}"}
            table {"{"} border-collapse: collapse; font-size: 0.9em; {"}"} th, td {"{"} border: 1px solid #ccc; padding: 4px 8px; text-align: right; {"}"}
            th:nth-child(-n+3), td:nth-child(-n+3) {"{"} text-align: left; {"}"} figure {"{"} margin: 2em 0; {"}"} img {"{"} max-width: 100%; {"}"}
            figcaption {"{"} color: #555; font-size: 0.9em; {"}"}
            </style></head><body>
            <h1>Antidote report</h1>
            <p>Sweep folder <code>{E(System.IO.Path.GetFullPath(settings.Folder))}</code>, written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.
            Cells: ACC / ASR / DER in %, mean±sd over seeds where there are several; "no defense" is the backdoored model.</p>
            <table><tr><th>model</th><th>attack</th><th>clean</th>{string.Concat(pivot.Columns.Select(c => $"<th>{E(c)}</th>"))}</tr>
            """);
        foreach (var row in pivot.Rows)
            html.AppendLine($"<tr><td>{E(row.Model)}</td><td>{E(row.Attack)}</td><td>{row.CleanSamples}</td>" +
                            string.Concat(pivot.Columns.Select(c => $"<td>{E(pivot.CellText(row, c))}</td>")) + "</tr>");
        html.AppendLine("</table>");
        foreach (var figure in figures)
            html.AppendLine($"<figure><h2>{E(figure.Title)}</h2><img alt=\"{E(figure.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(figure.Png)}\">" +
                            $"<figcaption>{E(figure.Caption)}</figcaption></figure>");
        // Lets a headless browser (CI) say whether every figure decoded: body[data-figures] = "loaded/total".
        html.AppendLine("<script>window.addEventListener('load', () => { const images = [...document.images]; " +
                        "document.body.dataset.figures = images.filter(i => i.complete && i.naturalWidth > 0).length + '/' + images.length; });</script>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void WriteMarkdown(ReportSettings settings, ResultsPivot pivot, IReadOnlyList<Figure> figures)
    {
        string stem = System.IO.Path.ChangeExtension(settings.Output, null);
        string folder = stem + "-figures";
        Directory.CreateDirectory(folder);
        var text = new StringBuilder("# Antidote report\n\n").Append(pivot.Markdown()).AppendLine();
        for (int i = 0; i < figures.Count; i++)
        {
            string file = $"figure-{i + 1:D2}.png";
            AtomicFile.Write(System.IO.Path.Combine(folder, file), s => s.Write(figures[i].Png));
            text.AppendLine($"## {figures[i].Title}\n\n![{figures[i].Title}]({System.IO.Path.GetFileName(folder)}/{file})\n\n{figures[i].Caption}\n");
        }
        AtomicFile.WriteAllText(stem + ".md", text.ToString());
    }
}
