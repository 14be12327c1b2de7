using System.CommandLine;
using Antidote.Cli.Terminal;
using Antidote.Experiments.Benchmark;

namespace Antidote.Cli.Commands;

/// <summary>`antidote benchmark`: training throughput per model and D3's epoch time against FT's.</summary>
public sealed class BenchmarkCommand : Command
{
    private readonly Option<int> _steps = new("--steps") { Description = "Timed training steps per model", DefaultValueFactory = _ => 20 };
    private readonly ComputeOptions _compute = new();

    public BenchmarkCommand() : base("benchmark", "Measure training images/s per model and D3 vs FT time per epoch")
    {
        Options.Add(_steps);
        foreach (var option in _compute.All)
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            CommonOptions.Positive("--steps", r.GetValue(_steps));
            ThroughputBenchmark.Run(_compute.Settings(r), new ConsoleRunLog(), r.GetValue(_steps));
            return 0;
        }));
    }
}
