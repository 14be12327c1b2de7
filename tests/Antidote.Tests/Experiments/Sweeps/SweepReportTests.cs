using Antidote.Core.Metrics;
using Antidote.Experiments.Runs;
using Antidote.Experiments.Sweeps;
using Xunit;

namespace Antidote.Tests.Experiments.Sweeps;

public class SweepReportTests
{
    private static readonly SweepSettings Settings = new("unused", [], [], [], [0], [0.05]);

    private static SweepRow Row(string variant, long seed, double accuracy, double asr, double seconds, double accuracyBefore = 0.90) =>
        new("small-cnn", "badnets", variant, seed, new DefenseSummary(variant, new EvaluationResult(accuracyBefore, 1, 0),
            new EvaluationResult(accuracy, asr, 0.5), 0.9, seconds, CleanSamples: 400, Epochs: 50));

    private static string Line(string table, string variant) =>
        table.Split('\n').Single(l => l.StartsWith($"| small-cnn | badnets | 400 | {variant} |", StringComparison.Ordinal));

    [Fact]
    public void A_cell_shows_mean_and_sd_over_seeds_its_worst_seed_and_the_mean_seconds_of_a_run()
    {
        string table = SweepReport.Markdown(Settings, [Row("d3", 0, 0.89, 0.01, 70), Row("d3", 1, 0.87, 0.03, 90)]);
        Assert.Equal("| small-cnn | badnets | 400 | d3 | 2 | 90.00 | 100.00 | 88.00 ± 1.41 | 2.00 ± 1.41 | 3.00 | 3.00 | 50 | -/- | 80 | no |",
            Line(table, "d3").TrimEnd());
    }

    [Fact]
    public void A_single_seed_shows_its_value_without_a_spread()
    {
        string table = SweepReport.Markdown(Settings, [Row("d3", 0, 0.885, 0.01, 61)]);
        Assert.Equal("| small-cnn | badnets | 400 | d3 | 1 | 90.00 | 100.00 | 88.50 | 1.00 | 1.50 | 1.00 | 50 | - | 61 | yes |",
            Line(table, "d3").TrimEnd());
    }

    [Fact]
    public void Where_fine_tuning_loses_more_than_the_bar_the_loss_is_measured_against_it()
    {
        string table = SweepReport.Markdown(Settings, [Row("ft", 0, 0.85, 0.99, 20), Row("d3", 0, 0.84, 0.02, 60)]);
        Assert.Contains("| 1.00 (ft) | 2.00 |", Line(table, "d3"));
        Assert.EndsWith("| yes |", Line(table, "d3").TrimEnd());
    }
}
