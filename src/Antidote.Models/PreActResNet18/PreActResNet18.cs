using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.PreActResNet18;

/// <summary>
/// PreAct-ResNet18 as BackdoorBench defines it (models/preact_resnet.py): a 3×3 stem, four stages of two
/// PreActBlocks (strides 1, 2, 2, 2), global average pooling, and the final <c>linear</c> classifier.
/// Parameter names match PyTorch's (conv1, layer1.0.bn1, layer2.0.shortcut.0, linear), so checkpoints map 1:1.
/// </summary>
public sealed class PreActResNet18 : ImageClassifier
{
    private readonly Conv2d conv1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear linear;

    /// <param name="width">Channels of the first stage; 64 is the standard network, stages use 1×, 2×, 4×, 8×.</param>
    /// <param name="norm">The normalisation layer for a channel count (BatchNorm2d by default); injectable so
    /// defenses such as ANP can substitute a perturbed norm without forking the architecture.</param>
    public PreActResNet18(int inChannels, int classes, int width = 64, Func<long, nn.Module<Tensor, Tensor>>? norm = null)
        : base(nameof(PreActResNet18))
    {
        norm ??= channels => nn.BatchNorm2d(channels);
        conv1 = nn.Conv2d(inChannels, width, 3, stride: 1, padding: 1, bias: false);
        long inPlanes = width;
        layer1 = MakeStage(ref inPlanes, width, 1, norm);
        layer2 = MakeStage(ref inPlanes, 2 * width, 2, norm);
        layer3 = MakeStage(ref inPlanes, 4 * width, 2, norm);
        layer4 = MakeStage(ref inPlanes, 8 * width, 2, norm);
        linear = nn.Linear(8 * width, classes);
        RegisterComponents();
    }

    public override Linear Classifier => linear;

    public override string ClassifierName => nameof(linear);

    public override Tensor ForwardFeatures(Tensor x)
    {
        var out1 = layer1.call(conv1.call(x));
        var out4 = layer4.call(layer3.call(layer2.call(out1)));
        return nn.functional.adaptive_avg_pool2d(out4, 1).flatten(1);
    }

    private static Sequential MakeStage(ref long inPlanes, long planes, long stride, Func<long, nn.Module<Tensor, Tensor>> norm)
    {
        var first = new PreActBlock(inPlanes, planes, stride, norm);
        var second = new PreActBlock(planes, planes, 1, norm);
        inPlanes = planes;
        return nn.Sequential(("0", first), ("1", second));
    }
}
