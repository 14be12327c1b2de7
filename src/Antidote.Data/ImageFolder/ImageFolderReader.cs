using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Data.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace Antidote.Data.ImageFolder;

/// <summary>The shape images are brought to: channels (1 = grayscale, 3 = RGB) and the model's input side lengths.</summary>
public sealed record ImageShape(int Channels, int Height, int Width);

/// <summary>An image folder read into memory: the images in [0, 1], their labels, the class names (label order) and the files.</summary>
public sealed record ImageFolderData(ImageDataset Data, IReadOnlyList<string> Classes, IReadOnlyList<string> Files);

/// <summary>
/// torchvision's ImageFolder: one sub-folder per class, classes in sorted (ordinal) order, files of the usual image
/// extensions in sorted order. Images are decoded with SkiaSharp (PNG, JPEG, BMP, GIF, WebP), resized so the shorter side
/// matches the target's and center-cropped (torchvision's Resize + CenterCrop), and converted to the channels asked for
/// (luma 0.299/0.587/0.114 for grayscale, gray repeated for RGB). Files are decoded by <see cref="ImageFile"/>, which checks
/// each header's size before decoding and names a file that is not a readable image.
/// </summary>
public static class ImageFolderReader
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <param name="classes">The class names in label order (e.g. a training folder's); null = this folder's sub-folders.
    /// A folder without class sub-folders, with <paramref name="label"/>, reads every image under that one label.</param>
    public static ImageFolderData Read(string root, ImageShape shape, IReadOnlyList<string>? classes = null, int? label = null)
    {
        if (!Directory.Exists(root))
            throw new AntidoteException($"image folder {root} not found");
        var files = new List<(string File, int Label)>();
        if (label is int only)
            files.AddRange(ImagesUnder(root).Select(f => (f, only)));
        else
        {
            var found = Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            classes ??= found!;
            if (classes.Count == 0)
                throw new AntidoteException($"{root}: no class sub-folders (an image folder has one sub-folder of images per class)");
            foreach (string name in found!)
            {
                // A class folder may be a link, but not to somewhere outside the dataset's folder (/proc, the home folder).
                var link = new DirectoryInfo(Path.Combine(root, name!));
                if (link.LinkTarget is not null && link.ResolveLinkTarget(returnFinalTarget: true) is { } target
                    && !FolderPath.IsInside(target.FullName, root))
                    throw new AntidoteException($"{root}: class folder {Printable.Quote(name!)} links outside the folder (to {Printable.Quote(target.FullName)}); " +
                                                "copy the images in, or link the images rather than the folder");
                int index = classes.ToList().IndexOf(name!);
                if (index < 0)
                    throw new AntidoteException($"{root}: class folder {Printable.Quote(name!)} is not one of the model's classes ({string.Join(", ", classes.Take(10))}{(classes.Count > 10 ? ", …" : "")})");
                files.AddRange(ImagesUnder(Path.Combine(root, name!)).Select(f => (f, index)));
            }
        }
        if (files.Count == 0)
            throw new AntidoteException($"{root}: no images (.png, .jpg, .jpeg, .bmp, .gif, .webp)");

        var pixels = new float[checked((long)files.Count * shape.Channels * shape.Height * shape.Width)];
        int plane = shape.Height * shape.Width;
        for (int i = 0; i < files.Count; i++)
            Decode(files[i].File, shape, pixels.AsSpan(i * shape.Channels * plane, shape.Channels * plane));
        var images = tensor(pixels, [files.Count, shape.Channels, shape.Height, shape.Width]);
        var labels = tensor(files.Select(f => (long)f.Label).ToArray());
        return new ImageFolderData(new ImageDataset(images, labels), classes ?? [], files.Select(f => f.File).ToList());
    }

    /// <summary>The images under a class folder: links to folders are not followed and each real file counts once (<see cref="FolderWalk"/>).</summary>
    public static IReadOnlyList<string> ImagesUnder(string folder) => FolderWalk.Files(folder, name => Extensions.Contains(Path.GetExtension(name)));

    /// <summary>Decodes one file into <paramref name="into"/> ([C, H, W] floats in [0, 1]).</summary>
    public static void Decode(string file, ImageShape shape, Span<float> into)
    {
        using var decoded = ImageFile.Decode(file, out _);
        using var fitted = Fit(decoded, shape.Height, shape.Width);
        var bytes = fitted.GetPixelSpan();
        int plane = shape.Height * shape.Width;
        for (int p = 0; p < plane; p++)
        {
            float r = bytes[4 * p] / 255f, g = bytes[4 * p + 1] / 255f, b = bytes[4 * p + 2] / 255f;
            if (shape.Channels == 1)
                into[p] = 0.299f * r + 0.587f * g + 0.114f * b;
            else
            {
                into[p] = r;
                into[plane + p] = g;
                into[2 * plane + p] = b;
            }
        }
    }

    /// <summary>Resize so that the image covers the target, then center-crop (an image of the target's size is untouched).</summary>
    private static SKBitmap Fit(SKBitmap image, int height, int width)
    {
        if (image.Width == width && image.Height == height)
            return image.Copy();
        double scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        int w = Math.Max(width, (int)Math.Round(image.Width * scale)), h = Math.Max(height, (int)Math.Round(image.Height * scale));
        using var resized = image.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Nearest)) // SkiaSharp 2's "Medium" quality
                            ?? throw new AntidoteException("image resize failed");
        var cropped = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(cropped))
            canvas.DrawBitmap(resized, new SKRect((w - width) / 2, (h - height) / 2, (w - width) / 2 + width, (h - height) / 2 + height),
                new SKRect(0, 0, width, height));
        return cropped;
    }
}
