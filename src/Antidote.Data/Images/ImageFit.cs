using static TorchSharp.torch;

namespace Antidote.Data.Images;

/// <summary>Fits an image read from a file to a dataset's shape: resized bilinearly, colour turned to luminance (ITU-R 601
/// weights, as PIL's "L") or grey repeated to three channels.</summary>
public static class ImageFit
{
    /// <summary><paramref name="image"/> [C, H, W] in [0, 1] as [channels, height, width]; the result belongs to the caller's scope.</summary>
    public static Tensor To(Tensor image, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        var x = image.to_type(ScalarType.Float32).unsqueeze(0);
        if (x.shape[2] != height || x.shape[3] != width)
            x = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        if (x.shape[1] == 3 && channels == 1)
            x = (x[TensorIndex.Colon, 0] * 0.299f + x[TensorIndex.Colon, 1] * 0.587f + x[TensorIndex.Colon, 2] * 0.114f).unsqueeze(1);
        else if (x.shape[1] == 1 && channels == 3)
            x = x.expand(-1, 3, -1, -1);
        return x.squeeze(0).clamp(0, 1).contiguous().MoveToOuterDisposeScope();
    }
}
