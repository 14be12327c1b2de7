using System.ComponentModel;
using Antidote.Models.Structure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.PreActResNet18;

/// <summary>PreAct-ResNet18's arguments.</summary>
public sealed record PreActResNet18Options(
    [Description("Channels of the first stage; stages use 1x, 2x, 4x, 8x (64 = the standard network; smaller for CPU)")]
    int Width = 64) : IModelOptions
{
    public void Validate() => ModelSpec.CheckWidth(nameof(Width), Width);
}

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
    public PreActResNet18(int inChannels, int classes, int width = 64, NormLayerFactory? norm = null)
        : base(nameof(PreActResNet18))
    {
        norm ??= ModelCatalog.BatchNorm;
        conv1 = nn.Conv2d(inChannels, width, 3, stride: 1, padding: 1, bias: false);
        long inPlanes = width;
        layer1 = MakeStage(ref inPlanes, width, 1, norm);
        layer2 = MakeStage(ref inPlanes, 2 * width, 2, norm);
        layer3 = MakeStage(ref inPlanes, 4 * width, 2, norm);
        layer4 = MakeStage(ref inPlanes, 8 * width, 2, norm);
        linear = nn.Linear(8 * width, classes);
        Stages = [new(nameof(layer1), nameof(layer1), width, true), new(nameof(layer2), nameof(layer2), 2 * width, true),
            new(nameof(layer3), nameof(layer3), 4 * width, true), new(nameof(layer4), nameof(layer4), 8 * width, true)];
        LastStageGate = new ChannelGate(nameof(linear), linear, 8 * width, 1);
        // A pre-activation block normalises its input (bn1) and its first convolution's output (bn2). Only the stem's output
        // reaches a norm layer unchanged (layer1.0.bn1); later blocks' bn1 see a residual sum, which no single convolution
        // produced. (BackdoorBench's CLP pairs each BN with whatever convolution precedes it in module order.)
        var norms = new List<ConvolutionNorm> { new(nameof(conv1), "layer1.0.bn1") };
        foreach (string stage in new[] { nameof(layer1), nameof(layer2), nameof(layer3), nameof(layer4) })
            for (int block = 0; block < 2; block++)
                norms.Add(new($"{stage}.{block}.conv1", $"{stage}.{block}.bn2"));
        ConvolutionNorms = norms;
        RegisterComponents();
    }

    public override Linear Classifier => linear;

    public override string ClassifierName => nameof(linear);

    public override IReadOnlyList<FeatureStage> Stages { get; }

    /// <summary>The classifier reads layer4 after global average pooling: one column per channel.</summary>
    public override ChannelGate LastStageGate { get; }

    public override IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; }

    public override Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage)
    {
        var out1 = layer1.call(conv1.call(x));
        onStage?.Invoke(nameof(layer1), out1);
        var out2 = layer2.call(out1);
        onStage?.Invoke(nameof(layer2), out2);
        var out3 = layer3.call(out2);
        onStage?.Invoke(nameof(layer3), out3);
        var out4 = layer4.call(out3);
        onStage?.Invoke(nameof(layer4), out4);
        return nn.functional.adaptive_avg_pool2d(out4, 1).flatten(1);
    }

    private static Sequential MakeStage(ref long inPlanes, long planes, long stride, NormLayerFactory norm)
    {
        var first = new PreActBlock(inPlanes, planes, stride, norm);
        var second = new PreActBlock(planes, planes, 1, norm);
        inPlanes = planes;
        return nn.Sequential(("0", first), ("1", second));
    }
}
