using Antidote.Core;
using Antidote.Data.Images;

namespace Antidote.Data.ImageFolder;

/// <summary>
/// Any image-folder dataset a user brings (GTSRB, Tiny-ImageNet, a CIFAR export, an ImageNet-style subset): DIR/train and
/// DIR/val (or DIR/test), each with one sub-folder per class, as torchvision's ImageFolder. The classes are the training
/// folder's sub-folders in sorted order; every image is brought to the size of the first training image (resized and
/// center-cropped), grayscale if that image is, else RGB. The whole split is held in memory as float tensors
/// (N × C × H × W × 4 bytes), which suits CIFAR-, GTSRB- and Tiny-ImageNet-sized sets, not full ImageNet.
/// </summary>
public sealed class ImageFolderSource : IDatasetSource
{
    public string Name => "imagefolder";
    public string Summary => "your image folders: DIR/train and DIR/val (or test), one sub-folder per class (PNG, JPEG, ...)";
    public string Source => "torchvision ImageFolder layout";

    // The shape and classes come from the files (Load); pixels are not normalised (mean 0, std 1); BackdoorBench's crop
    // padding of 4, no flip (a flip is not label-preserving for every dataset, e.g. traffic signs).
    public DatasetInfo Info { get; } = new("imagefolder", 3, 32, 32, 2, [0f, 0f, 0f], [1f, 1f, 1f], CropPadding: 4, HorizontalFlip: false);

    public string FolderName => "imagefolder";
    public string? SystemDirectory => null;
    public string ExpectedFiles => "train/<class>/… and val/<class>/… (or test/)";
    public string InstallHint => "pass --data DIR holding train/ and val/ (or test/) with one sub-folder per class";

    public bool IsPresentIn(string directory) =>
        Directory.Exists(Path.Combine(directory, "train")) && TestFolder(directory) is not null;

    public DatasetSplit Load(string directory)
    {
        string train = Path.Combine(directory, "train");
        string test = TestFolder(directory) ?? throw new AntidoteException($"{directory}: no val/ or test/ folder");
        var classes = Directory.GetDirectories(train).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        string first = classes.SelectMany(c => ImageFolderReader.ImagesUnder(Path.Combine(train, c!))).FirstOrDefault()
                       ?? throw new AntidoteException($"{train}: no images");
        ImageShape shape;
        using (var image = ImageFile.Decode(first, out bool gray))
            shape = new ImageShape(gray ? 1 : 3, image.Height, image.Width);
        var trainData = ImageFolderReader.Read(train, shape);
        var testData = ImageFolderReader.Read(test, shape, trainData.Classes);
        float[] zeros = new float[shape.Channels], ones = Enumerable.Repeat(1f, shape.Channels).ToArray();
        var info = Info with { Channels = shape.Channels, Height = shape.Height, Width = shape.Width, Classes = trainData.Classes.Count, Mean = zeros, Std = ones };
        return new DatasetSplit(info, trainData.Data, testData.Data);
    }

    private static string? TestFolder(string directory) =>
        new[] { "val", "test" }.Select(n => Path.Combine(directory, n)).FirstOrDefault(Directory.Exists);
}
