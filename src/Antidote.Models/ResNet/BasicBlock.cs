using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.ResNet;

/// <summary>torchvision's BasicBlock: conv3×3 → BN → ReLU → conv3×3 → BN, plus the shortcut (a 1×1 conv and BN named
/// "downsample" where the shape changes), then ReLU. Field names are PyTorch's.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly Sequential? downsample;

    public BasicBlock(long inPlanes, long planes, long stride, NormLayerFactory norm) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = norm(planes);
        if (stride != 1 || inPlanes != planes * Expansion)
            downsample = nn.Sequential(("0", nn.Conv2d(inPlanes, planes * Expansion, 1, stride: stride, bias: false)), ("1", norm(planes * Expansion)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var out1 = nn.functional.relu(bn1.call(conv1.call(x)));
        var out2 = bn2.call(conv2.call(out1));
        var identity = downsample is null ? x : downsample.call(x);
        return nn.functional.relu(out2 + identity);
    }
}
