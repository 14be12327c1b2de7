using Antidote.Core.Runtime;
using TorchSharp;

namespace Antidote.Tests.Core.Runtime;

/// <summary>
/// The convolution kernels Antidote trains with, checked against float64 over the channel counts small models use. On AMD
/// machines whose hypervisor leaves CPUID leaf 0x8000001D empty, libtorch 2.10 as shipped fails most of these (wrong input
/// gradients whenever the output channels are not a multiple of 16, wrong forward passes with 20 or 24 input channels,
/// NaN at random with two threads); <see cref="TorchRuntime"/> must leave none failing.
/// </summary>
public class ConvolutionKernelTests : IDisposable
{
    private readonly int _threads = torch.get_num_threads();

    public ConvolutionKernelTests()
    {
        TorchRuntime.EnsureReady();
        // Several threads: the faulty kernels also raced (NaN at a random step only with two threads).
        torch.set_num_threads(2);
    }

    public void Dispose() => torch.set_num_threads(_threads);

    public static TheoryData<int, int, int> Layers()
    {
        var layers = new TheoryData<int, int, int>();
        foreach (var (kernel, stride, padding) in ConvolutionSelfCheck.LayerKinds)
            layers.Add(kernel, stride, padding);
        return layers;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_channel_count_convolves_forward_and_backward_as_float64_does(int kernel, int stride, int padding)
    {
        Assert.Null(ConvolutionSelfCheck.FirstFailure(ConvolutionSelfCheck.Grid(kernel, stride, padding), seed: kernel));
    }

    [Fact]
    public void The_same_convolution_gives_the_same_bits_every_time_with_two_threads()
    {
        foreach (var shape in ConvolutionSelfCheck.Probes.Append(new ConvolutionShape(6, 12, 3, 1, 1, Size: 28, Batch: 32)))
        {
            var first = ConvolutionSelfCheck.Float32Results(shape, new torch.Generator(7));
            for (int run = 0; run < 10; run++)
            {
                var again = ConvolutionSelfCheck.Float32Results(shape, new torch.Generator(7));
                Assert.All(first.Zip(again), pair => Assert.Equal(pair.First, pair.Second));
            }
        }
    }
}
