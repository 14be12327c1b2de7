using System.CommandLine;
using Antidote.Core.Runtime;

namespace Antidote.Cli.Commands;

/// <summary>`antidote doctor`: what libtorch does on this machine, and whether its convolutions can be trusted.</summary>
public sealed class DoctorCommand : Command
{
    private readonly ComputeOptions _compute = new();

    public DoctorCommand() : base("doctor", "Check this machine's convolution kernels against float64 (every channel count small models use)")
    {
        foreach (var option in _compute.All)
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            Console.WriteLine($"compute: {_compute.Settings(r).Apply()}");
            int checkedShapes = 0;
            foreach (var (kernel, stride, padding) in ConvolutionSelfCheck.LayerKinds)
            {
                var shapes = ConvolutionSelfCheck.Grid(kernel, stride, padding).ToList();
                string? failure = ConvolutionSelfCheck.FirstFailure(shapes);
                if (failure is not null)
                {
                    Console.Error.WriteLine($"antidote: error: convolution disagrees with float64: {failure}");
                    return 1;
                }
                checkedShapes += shapes.Count;
            }
            Console.WriteLine($"convolutions: {checkedShapes} shapes ({ConvolutionSelfCheck.ChannelCounts.Count}² channel pairs × " +
                              $"{ConvolutionSelfCheck.LayerKinds.Count} layer kinds), forward and both gradients, agree with float64");
            return 0;
        }));
    }
}
