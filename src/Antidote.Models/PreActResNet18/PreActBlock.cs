using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.PreActResNet18;

/// <summary>
/// The pre-activation basic block (He et al. 2016, "Identity Mappings"): BN → ReLU → conv, twice, with the
/// shortcut taken after the first BN-ReLU when it must change shape. Field names follow PyTorch's.
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly Conv2d conv2;
    private readonly Sequential? shortcut;

    public PreActBlock(long inPlanes, long planes, long stride, NormLayerFactory norm) : base(nameof(PreActBlock))
    {
        bn1 = norm(inPlanes);
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = norm(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        if (stride != 1 || inPlanes != planes)
            shortcut = nn.Sequential(("0", nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var preActivated = nn.functional.relu(bn1.call(x));
        var identity = shortcut is null ? x : shortcut.call(preActivated);
        var out1 = conv1.call(preActivated);
        var out2 = conv2.call(nn.functional.relu(bn2.call(out1)));
        return out2 + identity;
    }
}
