using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Models.VisionTransformer;

/// <summary>The Vision Transformer's arguments; the defaults are torchvision's ViT-B/16 (vit_b_16 on 224×224 inputs). The image
/// size is the data's (square, a multiple of the patch size).</summary>
public sealed record VisionTransformerOptions(
    [Description("Side of the square patches (ViT-B/16: 16)")]
    int PatchSize = 16,
    [Description("Encoder layers (ViT-B/16: 12)")]
    int Layers = 12,
    [Description("Attention heads per layer (ViT-B/16: 12)")]
    int Heads = 12,
    [Description("Token width, a multiple of heads (ViT-B/16: 768)")]
    int Hidden = 768,
    [Description("Units of each layer's MLP (ViT-B/16: 3072)")]
    int MlpDim = 3072,
    [Description("Dropout after attention and in the MLP (torchvision: 0)")]
    double Dropout = 0) : IModelOptions
{
    public void Validate()
    {
        OptionCheck.InRange(nameof(PatchSize), PatchSize, 1, 1024);
        OptionCheck.InRange(nameof(Layers), Layers, 1, 256);
        OptionCheck.InRange(nameof(Heads), Heads, 1, 256);
        OptionCheck.InRange(nameof(Hidden), Hidden, 1, 16384);
        if (Hidden % Heads != 0) OptionCheck.Fail(nameof(Hidden), $"must be a multiple of heads ({Heads}), got {Hidden}");
        OptionCheck.InRange(nameof(MlpDim), MlpDim, 1, 65536);
        OptionCheck.Fraction(nameof(Dropout), Dropout, allowZero: true, allowOne: false);
    }
}
