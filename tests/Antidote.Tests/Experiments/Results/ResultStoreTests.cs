using Antidote.Core;
using Antidote.Core.Metrics;
using Antidote.Experiments.Results;
using Antidote.Experiments.Runs;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Results;

public class ResultStoreTests
{
    private static ResultRow Row(string folder, string variant, long seed, double acc, double asr) =>
        new(new RunRecord(RunRecord.DefenseKind, "../a", "mnist", "small-cnn", "badnets", variant, "h", seed, 0.05,
                new Dictionary<string, string> { ["model"] = "small-cnn", ["attack"] = "badnets", ["variant"] = variant }),
            folder, new EvaluationResult(0.9, 1.0, 0.0), new EvaluationResult(acc, asr, 0.5), 0.7, 1.5, CleanSamples: 16, Epochs: 2);

    [Fact]
    public void Writers_at_once_lose_nothing_and_a_run_written_again_replaces_its_row()
    {
        using var temp = new TempDirectory();
        string file = temp.File("results.db");
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, writer =>
        {
            using var store = ResultStore.Open(file, temp.Path);
            for (int i = 0; i < 25; i++) store.Add(Row($"run-{writer}-{i}", "ft", i, 0.8, 0.1));
        });
        using var reader = ResultStore.Open(file, temp.Path);
        Assert.Equal(100, reader.Runs().Count);
        Assert.Equal(100, reader.Runs().Select(r => r.Folder).Distinct().Count());

        reader.Add(Row("run-0-0", "ft", 0, 0.5, 0.2));
        Assert.Equal(100, reader.Runs().Count);
        Assert.Equal(0.5, reader.Runs().Single(r => r.Folder == "run-0-0").Accuracy);
    }

    [Fact]
    public void A_runs_epoch_metrics_and_settings_come_from_its_folder()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("d"));
        EpochTable.Write(temp.File("d"), [new(1, 0.5, 0.01, 2, new() { ["acc"] = 0.7 }), new(2, 0.25, 0.01, 2, new() { ["acc"] = 0.8 })]);
        using var store = ResultStore.Open(null, temp.Path);
        store.Add(Row("d", "d3", 0, 0.8, 0.01));
        Assert.True(File.Exists(temp.File(ResultStore.DefaultFile)));
        Assert.Equal([(1, 0.5), (2, 0.25)], store.EpochMetric("d", "loss"));
        Assert.Equal([(1, 0.7), (2, 0.8)], store.EpochMetric("d", "acc"));
    }

    [Fact]
    public void The_pivot_has_a_row_per_attack_and_a_column_per_defense_with_mean_and_sd_over_seeds()
    {
        using var temp = new TempDirectory();
        using var store = ResultStore.Open(null, temp.Path);
        store.Add(Row("ft-0", "ft", 0, 0.80, 0.90));
        store.Add(Row("ft-1", "ft", 1, 0.84, 0.70));
        store.Add(Row("d3-0", "d3", 0, 0.82, 0.02));
        var pivot = new ResultsPivot(store.Runs());
        Assert.Equal([ResultsPivot.NoDefense, "d3", "ft"], pivot.Columns);
        var row = Assert.Single(pivot.Rows);
        Assert.Equal(0.82, row.Cells["ft"].Accuracy.Mean, 10);
        Assert.Equal(Math.Sqrt(0.0008), row.Cells["ft"].Accuracy.Sd, 10);
        Assert.Equal(2, row.Cells["ft"].Seeds);
        string table = pivot.Markdown();
        Assert.Contains("| small-cnn | badnets | 16 | 90.00 / 100.00 | 82.00 / 2.00 / 70.00 | 82.00±2.83 / 80.00±14.14 / 70.00±0.00 (n=2) |", table);
        Assert.Contains("small-cnn,badnets,16,ft,2,0.8200", pivot.Csv());
    }

    [Fact]
    public void The_pivot_shows_the_columns_asked_for_in_their_order_with_wall_times_and_refuses_one_not_stored()
    {
        using var temp = new TempDirectory();
        using var store = ResultStore.Open(null, temp.Path);
        store.Add(Row("ft-0", "ft", 0, 0.80, 0.90));
        store.Add(Row("d3-0", "d3", 0, 0.82, 0.02));
        store.Add(Row("fp-0", "fp", 0, 0.81, 0.50));
        var pivot = new ResultsPivot(store.Runs(), ["ft", "fp", "d3"]);
        Assert.Equal([ResultsPivot.NoDefense, "ft", "fp", "d3"], pivot.Columns);
        Assert.Contains("| 90.00 / 100.00 | 80.00 / 90.00 / 70.00 · 2 s | 81.00 / 50.00 / 70.00 · 2 s | 82.00 / 2.00 / 70.00 · 2 s |", pivot.Markdown(seconds: true));
        Assert.Contains("small-cnn,badnets,16,ft,1,0.8000,0.0000,0.9000,0.0000,0.7000,0.0000,1.5", pivot.Csv());
        Assert.Equal(["no defense", "d3"], new ResultsPivot(store.Runs(), ["d3"]).Columns);

        var error = Assert.Throws<AntidoteException>(() => new ResultsPivot(store.Runs(), ["ft", "nc"]));
        Assert.Equal("no defense 'nc' in this results store; it has: d3, fp, ft", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_in_one_line()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("bad.db"), new string('x', 4096));
        var (exit, _, err) = ConsoleCapture.Run("results", temp.File("bad.db"));
        Assert.Equal(2, exit);
        Assert.Contains("results store", err);
    }
}
