using Antidote.Core;
using Antidote.Experiments.Benchmark;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Benchmark;

public class PyTorchComparisonTests
{
    // As tools/pytorch/benchmark.py writes it.
    private const string File = """
        {"engine": "PyTorch 1.13.1", "threads": 2, "machine": "x86_64",
         "models": [{"model": "small-cnn", "width": 32, "input": "1x28x28", "trainImagesPerSecond": 500.0, "evalImagesPerSecond": 2000.0}],
         "defenses": [{"model": "small-cnn", "width": 32, "cleanSamples": 3000, "ftSecondsPerEpoch": 8.0,
                       "d3FixedSecondsPerEpoch": 8.0, "d3DualSecondsPerEpoch": 10.0}]}
        """;

    [Fact]
    public void Each_ratio_is_antidotes_time_over_pytorchs_for_the_same_work()
    {
        using var folder = new TempDirectory();
        System.IO.File.WriteAllText(folder.File("torch.json"), File);
        var torch = PyTorchComparison.Read(folder.File("torch.json"));
        var models = new[]
        {
            new ThroughputBenchmark.ModelThroughput("small-cnn", "1x28x28", 32, 128, 2000, 4000),
            new ThroughputBenchmark.ModelThroughput("preact-resnet18", "3x32x32", 64, 128, 40, 70),
        };
        var defenses = new[] { new ThroughputBenchmark.DefenseEpochTime("small-cnn w32", 3000, 2, 2, 2.5) };
        string table = PyTorchComparison.Format(models, defenses, torch, repeats: 3);
        // Twice the images per second is half the time; 2 s against 8 s is a quarter.
        Assert.Contains("| small-cnn w32 1x28x28 | 2000, 500 (0.25×) | 4000, 2000 (0.50×) | 2.00, 8.00 (0.25×) | 2.00, 8.00 (0.25×) | 2.50, 10.00 (0.25×) |", table);
        Assert.DoesNotContain("preact", table);
        Assert.Contains("medians of 3 (Antidote) and 1 (PyTorch) repetitions", table); // a file without "repeats" timed once
    }

    [Theory]
    [InlineData("{not json", "not a benchmark file")]
    [InlineData("{\"engine\": \"PyTorch\", \"threads\": 2}", "models and defenses missing")]
    public void A_file_that_is_not_the_scripts_output_is_one_clear_error(string content, string message)
    {
        using var folder = new TempDirectory();
        System.IO.File.WriteAllText(folder.File("torch.json"), content);
        Assert.Contains(message, Assert.Throws<AntidoteException>(() => PyTorchComparison.Read(folder.File("torch.json"))).Message);
    }
}
