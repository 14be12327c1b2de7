using static TorchSharp.torch;

namespace Antidote.Core.Runtime;

/// <summary>One 2-d convolution layer shape: channels, square kernel, stride, padding, and the input batch it is run on.</summary>
public sealed record ConvolutionShape(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, int Size = 14, int Batch = 4)
{
    public override string ToString() =>
        $"{InChannels}→{OutChannels} channels, {Kernel}×{Kernel} stride {Stride}, {Batch}×{Size}×{Size}";
}

/// <summary>
/// Checks libtorch's float32 convolutions (forward, input gradient, weight gradient) against the same three computed in
/// float64 as matrix products of unfolded patches (im2col), which use no convolution kernel at all. Uses its own random
/// generator, so it never moves the seeded global stream.
/// </summary>
public static class ConvolutionSelfCheck
{
    /// <summary>Shapes that oneDNN got wrong with 1-byte caches (<see cref="OneDnnCacheRecord"/>): a forward pass with 20
    /// input channels, input gradients with output channels off the vector width, and a strided single-channel input.</summary>
    public static readonly IReadOnlyList<ConvolutionShape> Probes =
    [
        new(20, 16, 3, 1, 1),
        new(4, 8, 3, 1, 1),
        new(1, 4, 3, 2, 1),
        new(24, 12, 3, 2, 1),
    ];

    /// <summary>Channel counts small and scaled-down models use (widths 1–8, and the stages of widths 4–32).</summary>
    public static readonly IReadOnlyList<int> ChannelCounts = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

    /// <summary>The layer kinds of the models here: 3×3 (every model), strided 3×3 and 1×1 shortcuts (ResNets), ResNet's 7×7 stem.</summary>
    public static readonly IReadOnlyList<(int Kernel, int Stride, int Padding)> LayerKinds = [(3, 1, 1), (3, 2, 1), (1, 2, 0), (7, 2, 3)];

    /// <summary>Every pair of <see cref="ChannelCounts"/> for one layer kind.</summary>
    public static IEnumerable<ConvolutionShape> Grid(int kernel, int stride, int padding) =>
        from input in ChannelCounts from output in ChannelCounts select new ConvolutionShape(input, output, kernel, stride, padding);

    /// <summary>The largest error relative to the float64 result's largest magnitude that still counts as agreement.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The first shape whose results are not finite or disagree with float64, with what went wrong; null when all agree.</summary>
    public static string? FirstFailure(IEnumerable<ConvolutionShape> shapes, int seed = 0)
    {
        var generator = new Generator((ulong)seed);
        foreach (var shape in shapes)
        {
            string? failure = Check(shape, generator);
            if (failure is not null) return $"{shape}: {failure}";
        }
        return null;
    }

    /// <summary>The forward output, input gradient and weight gradient of <paramref name="shape"/> in float32, on inputs
    /// drawn from <paramref name="generator"/> (for tests that compare two runs bit for bit).</summary>
    public static float[][] Float32Results(ConvolutionShape shape, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (input, weight, gradient) = Inputs(shape, generator);
        return Run(shape, input, weight, gradient)
            .Select(t => t.data<float>().ToArray()).ToArray();
    }

    private static string? Check(ConvolutionShape shape, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (input, weight, gradient) = Inputs(shape, generator);
        var expected = Reference(shape, input, weight, gradient);
        var actual = Run(shape, input, weight, gradient);
        string[] names = ["output", "input gradient", "weight gradient"];
        for (int i = 0; i < names.Length; i++)
        {
            var value = actual[i].to(ScalarType.Float64);
            if (!value.isfinite().all().item<bool>()) return $"{names[i]} not finite";
            double scale = Math.Max(expected[i].abs().max().item<double>(), 1e-12);
            double error = (value - expected[i]).abs().max().item<double>() / scale;
            if (!(error <= Tolerance)) return $"{names[i]} off by {error:G2} of its largest value";
        }
        return null;
    }

    private static (Tensor Input, Tensor Weight, Tensor Gradient) Inputs(ConvolutionShape shape, Generator generator)
    {
        int outSize = (shape.Size + 2 * shape.Padding - shape.Kernel) / shape.Stride + 1;
        return (randn([shape.Batch, shape.InChannels, shape.Size, shape.Size], generator: generator),
            randn([shape.OutChannels, shape.InChannels, shape.Kernel, shape.Kernel], generator: generator),
            randn([shape.Batch, shape.OutChannels, outSize, outSize], generator: generator));
    }

    private static Tensor[] Run(ConvolutionShape shape, Tensor input, Tensor weight, Tensor gradient)
    {
        using var grad = enable_grad();
        var x = input.detach().requires_grad_();
        var w = weight.detach().requires_grad_();
        var y = nn.functional.conv2d(x, w, strides: [shape.Stride, shape.Stride], padding: [shape.Padding, shape.Padding]);
        y.backward([gradient]);
        return [y.detach(), x.grad!, w.grad!];
    }

    /// <summary>Output, input gradient and weight gradient in float64 from patches: y = W·cols, ∂x = fold(Wᵀ·g), ∂W = Σ g·colsᵀ.</summary>
    private static Tensor[] Reference(ConvolutionShape shape, Tensor input, Tensor weight, Tensor gradient)
    {
        var x = input.to(ScalarType.Float64);
        var w = weight.to(ScalarType.Float64).reshape(shape.OutChannels, -1);
        var g = gradient.to(ScalarType.Float64);
        long n = x.shape[0];
        var cols = nn.functional.unfold(x, shape.Kernel, 1, shape.Padding, shape.Stride);
        var g2 = g.reshape(n, shape.OutChannels, -1);
        var output = matmul(w, cols).reshape(g.shape);
        var inputGradient = nn.functional.fold(matmul(w.t(), g2), (shape.Size, shape.Size), (shape.Kernel, shape.Kernel),
            padding: (shape.Padding, shape.Padding), stride: (shape.Stride, shape.Stride));
        var weightGradient = matmul(g2, cols.transpose(1, 2)).sum(dim: 0).reshape(weight.shape);
        return [output, inputGradient, weightGradient];
    }
}
