using Antidote.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Attacks.Ssba;

/// <summary>
/// A CPU-sized StegaStamp encoder (after BackdoorBench resource/ssba/models.py, StegaStampEncoder): the code goes through a
/// dense layer to a 16×16 map per channel, is enlarged to the image's size and stacked on the image; a small U-Net (two
/// stride-2 steps down, two up, skip connections, the inputs again before the last convolutions) ends in a sigmoid, so
/// the output is the encoded image itself, in (0, 1) (BackdoorBench's default, use_residual 0). BackdoorBench's has four
/// steps and needs sides divisible by 16; this one resizes on the way up to the sizes it had on the way down, so any side works.
/// </summary>
public sealed class StegaStampEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private const int CodeMapSide = 16;
    private readonly int _channels;
    private readonly Linear code_dense;
    private readonly Conv2d conv1, down1, down2, up1, merge1, up2, merge2, conv3, output;

    public StegaStampEncoder(int channels, int bits, int width) : base(nameof(StegaStampEncoder))
    {
        TorchRuntime.EnsureReady();
        _channels = channels;
        code_dense = nn.Linear(bits, channels * CodeMapSide * CodeMapSide);
        conv1 = nn.Conv2d(2 * channels, width, 3, padding: 1);
        down1 = nn.Conv2d(width, 2 * width, 3, stride: 2, padding: 1);
        down2 = nn.Conv2d(2 * width, 4 * width, 3, stride: 2, padding: 1);
        up1 = nn.Conv2d(4 * width, 2 * width, 3, padding: 1);
        merge1 = nn.Conv2d(4 * width, 2 * width, 3, padding: 1);
        up2 = nn.Conv2d(2 * width, width, 3, padding: 1);
        merge2 = nn.Conv2d(2 * width + 2 * channels, width, 3, padding: 1);
        conv3 = nn.Conv2d(width, width, 3, padding: 1);
        output = nn.Conv2d(width, channels, 1);
        RegisterComponents();
    }

    /// <summary>Codes [N, bits] of 0/1 and images [N, C, H, W] in [0, 1] → encoded images [N, C, H, W] in (0, 1).</summary>
    public override Tensor forward(Tensor code, Tensor image)
    {
        long h = image.shape[2], w = image.shape[3];
        var map = nn.functional.relu(code_dense.call(code)).view(-1, _channels, CodeMapSide, CodeMapSide);
        var inputs = cat([nn.functional.interpolate(map, [h, w], mode: InterpolationMode.Nearest), image], 1);
        var c1 = nn.functional.relu(conv1.call(inputs));
        var d1 = nn.functional.relu(down1.call(c1));
        var d2 = nn.functional.relu(down2.call(d1));
        var u1 = nn.functional.relu(up1.call(nn.functional.interpolate(d2, [d1.shape[2], d1.shape[3]], mode: InterpolationMode.Nearest)));
        var m1 = nn.functional.relu(merge1.call(cat([d1, u1], 1)));
        var u2 = nn.functional.relu(up2.call(nn.functional.interpolate(m1, [h, w], mode: InterpolationMode.Nearest)));
        var m2 = nn.functional.relu(merge2.call(cat([c1, u2, inputs], 1)));
        return sigmoid(output.call(nn.functional.relu(conv3.call(m2))));
    }
}

/// <summary>
/// The matching decoder (BackdoorBench StegaStampDecoder, smaller): three stride-2 3×3 convolutions with ReLU, pooled to
/// 4×4 (BackdoorBench flattens a 1/32-scale map, which needs sides divisible by 32), then a hidden dense layer; one logit per bit.
/// </summary>
public sealed class StegaStampDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential dense;

    public StegaStampDecoder(int channels, int bits, int width) : base(nameof(StegaStampDecoder))
    {
        TorchRuntime.EnsureReady();
        features = nn.Sequential(
            nn.Conv2d(channels, width, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(2 * width, 4 * width, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(4));
        dense = nn.Sequential(nn.Linear(4 * width * 16, 256), nn.ReLU(), nn.Linear(256, bits));
        RegisterComponents();
    }

    /// <summary>Images [N, C, H, W] in [0, 1] → bit logits [N, bits].</summary>
    public override Tensor forward(Tensor image) => dense.call(features.call(image).flatten(1));
}
