using System.ComponentModel;

namespace Antidote.Models.ResNet;

/// <summary>ResNet-18's arguments (torchvision: width 64).</summary>
public sealed record ResNet18Options(
    [Description("Channels of the stem and the first stage; stages use 1x, 2x, 4x, 8x (torchvision: 64; smaller for CPU)")]
    int Width = 64) : IModelOptions
{
    public void Validate() => ModelSpec.CheckWidth(nameof(Width), Width);
}

/// <summary>ResNet-34's arguments (torchvision: width 64).</summary>
public sealed record ResNet34Options(
    [Description("Channels of the stem and the first stage; stages use 1x, 2x, 4x, 8x (torchvision: 64; smaller for CPU)")]
    int Width = 64) : IModelOptions
{
    public void Validate() => ModelSpec.CheckWidth(nameof(Width), Width);
}

/// <summary>ResNet-50's arguments (torchvision: width 64; each bottleneck stage outputs 4x its width).</summary>
public sealed record ResNet50Options(
    [Description("Channels of the stem and the first stage's bottleneck; stages use 1x, 2x, 4x, 8x, each block expanding 4x (torchvision: 64)")]
    int Width = 64) : IModelOptions
{
    public void Validate() => ModelSpec.CheckWidth(nameof(Width), Width);
}
