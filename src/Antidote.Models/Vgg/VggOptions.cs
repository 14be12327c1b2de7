using System.ComponentModel;

namespace Antidote.Models.Vgg;

/// <summary>VGG-16-BN's arguments (torchvision: width 64, hidden 4096).</summary>
public sealed record Vgg16BnOptions(
    [Description("Channels of the first conv stage; stages use 1x, 2x, 4x, 8x, 8x (torchvision: 64; smaller for CPU)")]
    int Width = 64,
    [Description("Units of the two hidden classifier layers (torchvision: 4096)")]
    int Hidden = 4096) : IModelOptions
{
    public void Validate()
    {
        ModelSpec.CheckWidth(nameof(Width), Width);
        if (Hidden is < 1 or > 65536) Core.Options.OptionCheck.Fail(nameof(Hidden), $"must be in [1, 65536], got {Hidden}");
    }
}

/// <summary>VGG-19-BN's arguments (torchvision: width 64, hidden 4096).</summary>
public sealed record Vgg19BnOptions(
    [Description("Channels of the first conv stage; stages use 1x, 2x, 4x, 8x, 8x (torchvision: 64; smaller for CPU)")]
    int Width = 64,
    [Description("Units of the two hidden classifier layers (torchvision: 4096)")]
    int Hidden = 4096) : IModelOptions
{
    public void Validate()
    {
        ModelSpec.CheckWidth(nameof(Width), Width);
        if (Hidden is < 1 or > 65536) Core.Options.OptionCheck.Fail(nameof(Hidden), $"must be in [1, 65536], got {Hidden}");
    }
}
