using System.CommandLine;
using Antidote.Cli.Terminal;
using Antidote.Experiments.Benchmark;

namespace Antidote.Cli.Commands;

/// <summary>`antidote benchmark`: training throughput per model and D3's epoch time against FT's.</summary>
public sealed class BenchmarkCommand : Command
{
    private readonly Option<int> _steps = new("--steps") { Description = "Timed training steps per model", DefaultValueFactory = _ => 20 };
    private readonly Option<int> _cleanSamples = new("--clean-samples") { Description = "Size of the defenses' clean subset (5% of Fashion-MNIST: 3,000)", DefaultValueFactory = _ => 3000 };
    private readonly Option<int> _repeats = new("--repeats")
    {
        Description = "Timed repetitions of each measurement; the median is reported (--step-variants: always 3)", DefaultValueFactory = _ => 3,
    };
    private readonly Option<string?> _compare = new("--compare")
    {
        Description = "A JSON file written by tools/pytorch/benchmark.py (the same work in PyTorch): print both and the ratio of their times",
    };
    private readonly Option<bool> _variants = new("--step-variants")
    {
        Description = "Instead: the training and evaluation step run other ways (channels-last, bfloat16, evaluation batch sizes, " +
                      "inference mode, 1 thread, oneDNN off), each beside Antidote's own way",
    };
    private readonly ComputeOptions _compute = new(precision: true);

    public BenchmarkCommand() : base("benchmark", "Measure training images/s per model and D3 vs FT time per epoch")
    {
        Options.Add(_steps);
        Options.Add(_cleanSamples);
        Options.Add(_repeats);
        Options.Add(_compare);
        Options.Add(_variants);
        foreach (var option in _compute.All)
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            CommonOptions.Positive("--steps", r.GetValue(_steps));
            CommonOptions.Positive("--clean-samples", r.GetValue(_cleanSamples));
            CommonOptions.Positive("--repeats", r.GetValue(_repeats));
            var compute = _compute.Settings(r);
            if (r.GetValue(_variants))
            {
                if (r.GetValue(_compare) is not null)
                    throw new Core.AntidoteException("--step-variants and --compare measure different things: give one");
                if (compute.Precision != Core.Runtime.Precision.Float32)
                    throw new Core.AntidoteException("--step-variants times its own bfloat16 variants beside float32: drop --precision");
                Console.Write(StepVariants.Format(StepVariants.Run(compute, new ConsoleRunLog(), r.GetValue(_steps))));
                return 0;
            }
            // Read before the minutes of measuring, so a wrong file fails at once.
            var torch = r.GetValue(_compare) is string path ? PyTorchComparison.Read(path) : null;
            var (models, defenses) = ThroughputBenchmark.Run(compute, new ConsoleRunLog(), r.GetValue(_steps), r.GetValue(_cleanSamples), r.GetValue(_repeats));
            if (torch is not null)
            {
                Console.WriteLine();
                Console.Write(PyTorchComparison.Format(models, defenses, torch, r.GetValue(_repeats)));
                if (compute.Precision != Core.Runtime.Precision.Float32)
                    Console.WriteLine("note: this run computed in bfloat16, the PyTorch script in float32");
                if (torch.Threads != TorchSharp.torch.get_num_threads())
                    Console.WriteLine($"note: PyTorch ran {torch.Threads} threads, this run {TorchSharp.torch.get_num_threads()}; rerun both with the same --threads");
            }
            return 0;
        }));
    }
}
