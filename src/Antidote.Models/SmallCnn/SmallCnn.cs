using System.ComponentModel;
using Antidote.Models.Structure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.SmallCnn;

/// <summary>The small CNN's arguments.</summary>
public sealed record SmallCnnOptions(
    [Description("Channels of the first conv block (the second has twice as many)")]
    int Width = 32,
    [Description("Units of the hidden layer before the classifier")]
    int Hidden = 128) : IModelOptions
{
    public void Validate()
    {
        ModelSpec.CheckWidth(nameof(Width), Width);
        ModelSpec.CheckWidth(nameof(Hidden), Hidden);
    }
}

/// <summary>
/// A small CNN for 28×28 inputs: [conv3×3 → BN → ReLU → max-pool] × 2 → fc1 (128) → ReLU → linear.
/// BatchNorm is there so BN-related defense options (frozen vs. train mode) mean the same as on ResNets.
/// </summary>
public sealed class SmallCnn : ImageClassifier
{
    private readonly Conv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly Linear fc1;
    private readonly Linear linear;

    public SmallCnn(ModelSpec spec, SmallCnnOptions options, NormLayerFactory norm) : base(nameof(SmallCnn))
    {
        int channels = options.Width;
        conv1 = nn.Conv2d(spec.InChannels, channels, 3, padding: 1, bias: false);
        bn1 = norm(channels);
        conv2 = nn.Conv2d(channels, 2 * channels, 3, padding: 1, bias: false);
        bn2 = norm(2 * channels);
        fc1 = nn.Linear(2 * channels * (spec.ImageHeight / 4) * (spec.ImageWidth / 4), options.Hidden);
        linear = nn.Linear(options.Hidden, spec.Classes);
        Stages = [new("block1", nameof(bn1), channels, true), new("block2", nameof(bn2), 2 * channels, true), new("fc1", nameof(fc1), options.Hidden, false)];
        LastStageGate = new ChannelGate(nameof(fc1), fc1, 2 * channels, (spec.ImageHeight / 4) * (spec.ImageWidth / 4));
        RegisterComponents();
    }

    public override Linear Classifier => linear;

    public override string ClassifierName => nameof(linear);

    /// <summary>block1 and block2 (after BN, ReLU and pooling; reported at their norm layers) and the hidden layer fc1.</summary>
    public override IReadOnlyList<FeatureStage> Stages { get; }

    /// <summary>fc1 reads block2 flattened: (H/4)·(W/4) columns per channel.</summary>
    public override ChannelGate LastStageGate { get; }

    public override IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; } = [new(nameof(conv1), nameof(bn1)), new(nameof(conv2), nameof(bn2))];

    public override Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage)
    {
        var out1 = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.call(x))), 2);
        onStage?.Invoke("block1", out1);
        var out2 = nn.functional.max_pool2d(nn.functional.relu(bn2.call(conv2.call(out1))), 2);
        onStage?.Invoke("block2", out2);
        var features = nn.functional.relu(fc1.call(out2.flatten(1)));
        onStage?.Invoke("fc1", features);
        return features;
    }
}
