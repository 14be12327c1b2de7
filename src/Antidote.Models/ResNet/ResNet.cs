using Antidote.Models.Structure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.ResNet;

/// <summary>
/// torchvision's ResNet (He et al. 2016; torchvision/models/resnet.py): a 7×7 stride-2 stem with BN, ReLU and a 3×3
/// stride-2 max-pool, four stages (strides 1, 2, 2, 2) of basic blocks (ResNet-18/34) or bottlenecks (ResNet-50), global
/// average pooling and the classifier <c>fc</c>. Parameter names are PyTorch's (conv1, bn1, layer1.0.conv1,
/// layer2.0.downsample.0, fc), so a torchvision state dict loads as it is.
/// </summary>
public sealed class ResNet : ImageClassifier
{
    /// <summary>Which block and how many per stage: ResNet-18, -34 and -50 as torchvision builds them.</summary>
    public enum Depth { ResNet18, ResNet34, ResNet50 }

    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;

    public ResNet(Depth depth, int inChannels, int classes, int width, NormLayerFactory norm) : base(depth.ToString())
    {
        var (blocks, expansion) = depth switch
        {
            Depth.ResNet18 => (new[] { 2, 2, 2, 2 }, BasicBlock.Expansion),
            Depth.ResNet34 => (new[] { 3, 4, 6, 3 }, BasicBlock.Expansion),
            _ => (new[] { 3, 4, 6, 3 }, Bottleneck.Expansion),
        };
        nn.Module<Tensor, Tensor> Block(long inPlanes, long planes, long stride) =>
            depth == Depth.ResNet50 ? new Bottleneck(inPlanes, planes, stride, norm) : new BasicBlock(inPlanes, planes, stride, norm);

        conv1 = nn.Conv2d(inChannels, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = norm(width);
        long inPlanes = width;
        Sequential Stage(long planes, int count, long stride)
        {
            var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < count; i++)
            {
                modules.Add((i.ToString(), Block(inPlanes, planes, i == 0 ? stride : 1)));
                inPlanes = planes * expansion;
            }
            return nn.Sequential(modules);
        }
        layer1 = Stage(width, blocks[0], 1);
        layer2 = Stage(2 * width, blocks[1], 2);
        layer3 = Stage(4 * width, blocks[2], 2);
        layer4 = Stage(8 * width, blocks[3], 2);
        fc = nn.Linear(8 * width * expansion, classes);
        string[] stageNames = [nameof(layer1), nameof(layer2), nameof(layer3), nameof(layer4)];
        Stages = [.. stageNames.Select((name, i) => new FeatureStage(name, name, (width << i) * expansion, true))];
        LastStageGate = new ChannelGate(nameof(fc), fc, 8 * width * expansion, 1);
        // torchvision's blocks: convK → bnK inside each block (K up to 3 in a bottleneck), downsample.0 → downsample.1.
        var norms = new List<ConvolutionNorm> { new(nameof(conv1), nameof(bn1)) };
        long planesIn = width;
        for (int stage = 0; stage < 4; stage++)
            for (int block = 0; block < blocks[stage]; block++)
            {
                string path = $"{stageNames[stage]}.{block}";
                for (int k = 1; k <= (expansion == 1 ? 2 : 3); k++)
                    norms.Add(new($"{path}.conv{k}", $"{path}.bn{k}"));
                long planesOut = (width << stage) * expansion;
                if (block == 0 && (stage > 0 || planesIn != planesOut))
                    norms.Add(new($"{path}.downsample.0", $"{path}.downsample.1"));
                planesIn = planesOut;
            }
        ConvolutionNorms = norms;
        RegisterComponents();
    }

    public override Linear Classifier => fc;

    public override string ClassifierName => nameof(fc);

    public override IReadOnlyList<FeatureStage> Stages { get; }

    /// <summary>fc reads layer4 after global average pooling: one column per channel.</summary>
    public override ChannelGate LastStageGate { get; }

    public override IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; }

    public override Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage)
    {
        var stem = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.call(x))), 3, stride: 2, padding: 1);
        var out1 = layer1.call(stem);
        onStage?.Invoke(nameof(layer1), out1);
        var out2 = layer2.call(out1);
        onStage?.Invoke(nameof(layer2), out2);
        var out3 = layer3.call(out2);
        onStage?.Invoke(nameof(layer3), out3);
        var out4 = layer4.call(out3);
        onStage?.Invoke(nameof(layer4), out4);
        return nn.functional.adaptive_avg_pool2d(out4, 1).flatten(1);
    }
}
