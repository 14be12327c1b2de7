using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.ResNet;

/// <summary>torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3×3 conv): conv1×1 → BN → ReLU → conv3×3 → BN →
/// ReLU → conv1×1 (4× the width) → BN, plus the "downsample" shortcut, then ReLU. Field names are PyTorch's.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly Conv2d conv3;
    private readonly nn.Module<Tensor, Tensor> bn3;
    private readonly Sequential? downsample;

    public Bottleneck(long inPlanes, long planes, long stride, NormLayerFactory norm) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = norm(planes);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = norm(planes * Expansion);
        if (stride != 1 || inPlanes != planes * Expansion)
            downsample = nn.Sequential(("0", nn.Conv2d(inPlanes, planes * Expansion, 1, stride: stride, bias: false)), ("1", norm(planes * Expansion)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var out1 = nn.functional.relu(bn1.call(conv1.call(x)));
        var out2 = nn.functional.relu(bn2.call(conv2.call(out1)));
        var out3 = bn3.call(conv3.call(out2));
        var identity = downsample is null ? x : downsample.call(x);
        return nn.functional.relu(out3 + identity);
    }
}
