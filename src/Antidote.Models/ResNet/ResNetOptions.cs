using System.ComponentModel;

namespace Antidote.Models.ResNet;

/// <summary>torchvision's ResNet arguments; one record per registered depth (the catalog knows a model by its record).</summary>
public abstract record ResNetOptions(
    [property: Description("Channels of the stem and the first stage; stages use 1x, 2x, 4x, 8x, bottlenecks expanding 4x (torchvision: 64; smaller for CPU)")]
    int Width) : IModelOptions
{
    public void Validate() => ModelSpec.CheckWidth(nameof(Width), Width);
}

/// <summary>ResNet-18 (torchvision: width 64).</summary>
public sealed record ResNet18Options(int Width = 64) : ResNetOptions(Width);

/// <summary>ResNet-34 (torchvision: width 64).</summary>
public sealed record ResNet34Options(int Width = 64) : ResNetOptions(Width);

/// <summary>ResNet-50 (torchvision: width 64).</summary>
public sealed record ResNet50Options(int Width = 64) : ResNetOptions(Width);
