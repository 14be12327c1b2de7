using Antidote.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Attacks.InputAware;

/// <summary>
/// Input-aware's generator (BackdoorBench inputaware.py, InputAwareGenerator): an encoder of <c>depth</c> steps (two 3×3
/// convolution blocks with batch norm (momentum 0.05) and ReLU, then 2×2 max pooling, doubling the channels), a middle block,
/// and a decoder of as many steps (upsampling, two blocks, halving the channels; the last block without ReLU), ending in
/// tanh(x) / (2 + 1e-7) + 0.5, so outputs lie in (0, 1). BackdoorBench uses 16 channels and 2 steps for MNIST, 32 and 3 for
/// every other dataset; here, 16 and 2 for one-channel images. Where BackdoorBench upsamples by 2, this one upsamples
/// bilinearly to the size the matching encoder step had: identical on sides divisible by 2^depth (28 at depth 2, 32 at
/// depth 3), and it also returns to the input's size on any other side (28 at depth 3 pools to 14, 7, 3 and comes back to
/// 7, 14, 28).
/// </summary>
public sealed class InputAwareGenerator : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Sequential> down = new();
    private readonly Sequential middle;
    private readonly ModuleList<Sequential> up = new();

    public InputAwareGenerator(int inChannels, int outChannels, int width, int depth) : base(nameof(InputAwareGenerator))
    {
        // Its convolutions run before any classifier's may have (a unit test, an attack prepared first): libtorch must be
        // prepared (oneDNN's cache sizes repaired) before the first one, or they read and write past their buffers.
        TorchRuntime.EnsureReady();
        int current = inChannels, next = width;
        for (int step = 0; step < depth; step++)
        {
            down.Add(nn.Sequential(Block(current, next), Block(next, next)));
            if (step < depth - 1) { current = next; next *= 2; }
        }
        middle = Block(next, next);
        current = next;
        next = current / 2;
        for (int step = 0; step < depth; step++)
        {
            up.Add(nn.Sequential(Block(current, current), Block(current, next, relu: step < depth - 1)));
            current = next;
            next /= 2;
            if (step == depth - 2) next = outChannels;
        }
        RegisterComponents();
    }

    /// <summary>BackdoorBench's sizes: (16 channels, 2 steps) for one-channel images (its MNIST), else (32, 3).</summary>
    public static InputAwareGenerator For(int channels, int outChannels) =>
        channels == 1 ? new(channels, outChannels, 16, 2) : new(channels, outChannels, 32, 3);

    /// <summary>Normalised images → outputs in (0, 1) with <c>outChannels</c> channels.</summary>
    public override Tensor forward(Tensor x)
    {
        var sizes = new List<long[]>();
        foreach (var step in down)
        {
            x = step.call(x);
            sizes.Add([x.shape[2], x.shape[3]]);
            x = nn.functional.max_pool2d(x, 2);
        }
        x = middle.call(x);
        for (int i = 0; i < up.Count; i++)
        {
            x = nn.functional.interpolate(x, sizes[^(i + 1)], mode: InterpolationMode.Bilinear, align_corners: false);
            x = up[i].call(x);
        }
        return x.tanh() / (2 + 1e-7) + 0.5;
    }

    /// <summary>The mask generator's output pushed towards 0 or 1: tanh(20x − 10) / (2 + 1e-7) + 0.5 (BackdoorBench Threshold).</summary>
    public static Tensor Threshold(Tensor x) => (x * 20 - 10).tanh() / (2 + 1e-7) + 0.5;

    private static Sequential Block(int inChannels, int outChannels, bool relu = true)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv2d", nn.Conv2d(inChannels, outChannels, 3, padding: 1)),
            ("batch_norm", nn.BatchNorm2d(outChannels, eps: 1e-5, momentum: 0.05)),
        };
        if (relu) modules.Add(("relu", nn.ReLU()));
        return nn.Sequential(modules);
    }
}
