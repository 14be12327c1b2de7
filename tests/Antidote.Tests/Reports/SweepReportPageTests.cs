using System.Text.RegularExpressions;
using Antidote.Core.Logging;
using Antidote.Experiments.Analysis;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments.Sweeps;
using Antidote.Models.SmallCnn;
using Antidote.Reports;
using Antidote.Tests.TestKit;
using SkiaSharp;

namespace Antidote.Tests.Reports;

public class SweepReportPageTests
{
    [Fact]
    public void The_page_embeds_every_figure_as_a_png_that_decodes_and_the_markdown_links_the_same_figures()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        var settings = new SweepSettings(temp.File("sweep"), [new("small-cnn", new SmallCnnOptions(Width: 4, Hidden: 16))],
            [new SweepAttack("badnets", Components.AttackOptions("badnets"))],
            [new("ft", new FineTuningOptions(Epochs: 2, BatchSize: 16)), new("d3", new D3Options(Epochs: 2, MinSteps: 0, BatchSize: 16, Survival: new SurvivalCheckOptions(Check: false)))],
            Seeds: [0], CleanRatios: [0.2], Dataset: "mnist", DataDirectory: temp.File("mnist"), AttackEpochs: 1, EvalEvery: 1);
        SensitivitySweep.Run(settings, NullRunLog.Instance);

        var figures = SweepReportPage.Write(new ReportSettings(temp.File("sweep"), temp.File("sweep/report.html"), temp.File("mnist"), PathImages: 20), NullRunLog.Instance);

        // The scatter, ACC/ASR per epoch, D3's distance and λ, the loss along the line, the trigger.
        Assert.Equal(6, figures.Count);
        string html = File.ReadAllText(temp.File("sweep/report.html"));
        var images = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        Assert.Equal(figures.Count, images.Count);
        foreach (var png in images)
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 50 && bitmap.Height > 50);
        }
        Assert.Contains("<td>badnets</td>", html);
        string markdown = File.ReadAllText(temp.File("sweep/report.md"));
        Assert.Equal(figures.Count, Regex.Matches(markdown, @"!\[[^\]]*\]\(report-figures/figure-\d\d\.png\)").Count);
        Assert.Equal(figures.Count, Directory.GetFiles(temp.File("sweep/report-figures"), "*.png").Length);

        // The line from a model to itself stays at that model; the line to the defended model is finite over the whole range.
        string attackRun = temp.File("sweep/" + SensitivitySweep.AttackRunName("badnets", "mnist", "small-cnn"));
        var still = LinePath.Measure(attackRun, attackRun, [-0.5, 0, 2], temp.File("mnist"), 20);
        Assert.All(still, p => Assert.Equal(still[1].CleanLoss, p.CleanLoss, 5));
        var line = LinePath.Measure(attackRun, attackRun + "--d3-r0.2-s0", LinePath.DefaultSteps, temp.File("mnist"), 20);
        Assert.All(line, p => Assert.True(double.IsFinite(p.CleanLoss) && double.IsFinite(p.BackdoorLoss), $"t = {p.T}"));
    }

    [Fact]
    public void A_folder_without_runs_is_refused_in_one_line()
    {
        using var temp = new TempDirectory();
        var (exit, _, err) = ConsoleCapture.Run("report", temp.Path);
        Assert.Equal(2, exit);
        Assert.Contains("holds no runs", err);
    }
}
