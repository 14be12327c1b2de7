using Antidote.Core;
using Antidote.Core.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace Antidote.Data.Images;

/// <summary>
/// Image files through SkiaSharp (PNG, JPEG, BMP, GIF, WebP): trigger images, image folders, and trigger.png in run folders.
/// A file is untrusted: its header's size is checked before anything is decoded, and a file that is not a readable image
/// is named in the error.
/// </summary>
public static class ImageFile
{
    /// <summary>Largest side accepted from a header.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest image accepted, in pixels (a 10,000 × 10,000 photograph).</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>The image as a float tensor [C, H, W] in [0, 1]: C = 1 for a grayscale file, else 3 (alpha dropped).</summary>
    public static Tensor Read(string path)
    {
        using var bitmap = Decode(path, out bool gray);
        int h = bitmap.Height, w = bitmap.Width, channels = gray ? 1 : 3;
        var bytes = bitmap.GetPixelSpan();
        var chw = new float[channels * h * w];
        for (int p = 0; p < h * w; p++)
            for (int c = 0; c < channels; c++)
                chw[c * h * w + p] = bytes[4 * p + c] / 255f;
        return tensor(chw, [channels, h, w]);
    }

    /// <summary>Decodes a file to RGBA (unpremultiplied), after checking its header; <paramref name="gray"/> says whether
    /// the file itself was grayscale.</summary>
    public static SKBitmap Decode(string path, out bool gray)
    {
        RegularFile.Check(path, "image");
        using var codec = SKCodec.Create(path) ?? throw new AntidoteException($"{path}: not a readable image");
        var info = codec.Info;
        if (info.Width < 1 || info.Height < 1 || info.Width > MaxSide || info.Height > MaxSide || (long)info.Width * info.Height > MaxPixels)
            throw new AntidoteException($"{path}: image of {info.Width}x{info.Height} pixels refused (sides up to {MaxSide}, at most {MaxPixels} pixels)");
        gray = info.ColorType == SKColorType.Gray8;
        var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new AntidoteException($"{path}: not a readable image ({result})");
        }
        return bitmap;
    }

    /// <summary>Writes a [C, H, W] tensor in [0, 1] (C = 1 or 3) as an 8-bit PNG, atomically.</summary>
    public static void WritePng(string path, Tensor image)
    {
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        if (c is not (1 or 3)) throw new ArgumentException("PNG export needs 1 or 3 channels");
        float[] values = image.to(CPU).contiguous().data<float>().ToArray();
        static byte Byte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, c == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque));
        int bytesPerPixel = c == 1 ? 1 : 4;
        var row = new byte[w * bytesPerPixel];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (c == 1)
                    row[x] = Byte(values[p]);
                else
                {
                    for (int k = 0; k < 3; k++) row[4 * x + k] = Byte(values[k * h * w + p]);
                    row[4 * x + 3] = 255;
                }
            }
            System.Runtime.InteropServices.Marshal.Copy(row, 0, bitmap.GetPixels() + y * bitmap.RowBytes, row.Length);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException("PNG encoding failed");
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }
}
