using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Models.Vgg;

/// <summary>torchvision's VGG-BN arguments; one record per registered depth (the catalog knows a model by its record).</summary>
public abstract record VggOptions(
    [property: Description("Channels of the first conv stage; stages use 1x, 2x, 4x, 8x, 8x (torchvision: 64; smaller for CPU)")]
    int Width,
    [property: Description("Units of the two hidden classifier layers (torchvision: 4096)")]
    int Hidden) : IModelOptions
{
    public void Validate()
    {
        ModelSpec.CheckWidth(nameof(Width), Width);
        OptionCheck.InRange(nameof(Hidden), Hidden, 1, 65536);
    }
}

/// <summary>VGG-16-BN (torchvision: width 64, hidden 4096).</summary>
public sealed record Vgg16BnOptions(int Width = 64, int Hidden = 4096) : VggOptions(Width, Hidden);

/// <summary>VGG-19-BN (torchvision: width 64, hidden 4096).</summary>
public sealed record Vgg19BnOptions(int Width = 64, int Hidden = 4096) : VggOptions(Width, Hidden);
