using Antidote.Models.Structure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.VisionTransformer;

/// <summary>
/// torchvision's VisionTransformer (Dosovitskiy et al. 2021; torchvision/models/vision_transformer.py): patches embedded by
/// <c>conv_proj</c>, a learnt <c>class_token</c> in front, the <c>encoder</c> (position embedding, pre-norm blocks, final
/// LayerNorm), and the class token's output through <c>heads.head</c>. Parameter names are PyTorch's, so a vit_b_16 state
/// dict loads as it is. No batch norm: a norm-layer factory has nothing to replace.
/// </summary>
public sealed class VisionTransformer : ImageClassifier
{
    private readonly Conv2d conv_proj;
    private readonly Parameter class_token;
    private readonly Encoder encoder;
    private readonly Sequential heads;
    // The head, reached without looking it up on every forward pass; a record, not a Module field, so that it is
    // registered once, under "heads".
    private readonly HeadLayer _head;
    private readonly long _hidden;

    private sealed record HeadLayer(Linear Linear);

    public VisionTransformer(ModelSpec spec, VisionTransformerOptions options) : base(nameof(VisionTransformer))
    {
        if (spec.ImageHeight != spec.ImageWidth || spec.ImageHeight % options.PatchSize != 0)
            throw new Core.AntidoteException($"vit: the images must be square with a side that is a multiple of the patch size {options.PatchSize}, got {spec.ImageHeight}x{spec.ImageWidth}");
        _hidden = options.Hidden;
        long patches = (long)(spec.ImageHeight / options.PatchSize) * (spec.ImageWidth / options.PatchSize);
        conv_proj = nn.Conv2d(spec.InChannels, options.Hidden, options.PatchSize, stride: options.PatchSize);
        // torchvision: truncated normal with std sqrt(1 / fan_in), zero bias; the head starts at zero.
        long fanIn = spec.InChannels * options.PatchSize * options.PatchSize;
        nn.init.trunc_normal_(conv_proj.weight!, std: Math.Sqrt(1.0 / fanIn));
        using (no_grad()) conv_proj.bias!.zero_();
        class_token = nn.Parameter(zeros(1, 1, options.Hidden));
        encoder = new Encoder(patches + 1, options.Layers, options.Heads, options.Hidden, options.MlpDim, options.Dropout);
        var head = nn.Linear(options.Hidden, spec.Classes);
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }
        heads = nn.Sequential(("head", head));
        _head = new HeadLayer(head);
        Stages = [.. Enumerable.Range(0, options.Layers).Select(i => new FeatureStage($"encoder_layer_{i}", $"encoder.layers.encoder_layer_{i}", options.Hidden, false))];
        // No convolutional stage after the patch embedding: the head's input features stand in for channels, as
        // BackdoorBench's fine-pruning masks heads.head for ViT.
        LastStageGate = new ChannelGate("heads.head", head, options.Hidden, 1);
        RegisterComponents();
    }

    public override Linear Classifier => _head.Linear;

    public override string ClassifierName => "heads.head";

    /// <summary>"encoder_layer_0" … : each encoder layer's tokens (not feature maps).</summary>
    public override IReadOnlyList<FeatureStage> Stages { get; }

    public override ChannelGate LastStageGate { get; }

    /// <summary>None: the patch embedding is not followed by batch norm.</summary>
    public override IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; } = [];

    public override Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage)
    {
        long n = x.shape[0];
        var tokens = conv_proj.call(x).reshape(n, _hidden, -1).permute(0, 2, 1);
        tokens = cat([class_token.expand(n, -1, -1), tokens], 1);
        return encoder.Forward(tokens, onStage)[TensorIndex.Colon, 0];
    }
}
