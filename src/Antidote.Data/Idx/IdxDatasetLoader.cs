using Antidote.Core;
using static TorchSharp.torch;

namespace Antidote.Data.Idx;

/// <summary>Loads the four IDX files of an MNIST-family dataset into tensors.</summary>
internal static class IdxDatasetLoader
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    public const string ExpectedFiles = "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]";

    public static bool IsPresentIn(string directory) =>
        new[] { TrainImages, TrainLabels, TestImages, TestLabels }.All(f => IdxReader.Find(directory, f) is not null);

    public static DatasetSplit Load(DatasetInfo info, string directory) =>
        new(info, LoadPart(info, directory, TrainImages, TrainLabels), LoadPart(info, directory, TestImages, TestLabels));

    private static ImageDataset LoadPart(DatasetInfo info, string directory, string imagesName, string labelsName)
    {
        string imagesPath = IdxReader.Find(directory, imagesName) ?? throw new AntidoteException($"{info.Name}: {imagesName}[.gz] not found in {directory}");
        string labelsPath = IdxReader.Find(directory, labelsName) ?? throw new AntidoteException($"{info.Name}: {labelsName}[.gz] not found in {directory}");
        var images = IdxReader.Read(imagesPath, expectedRank: 3);
        var labels = IdxReader.Read(labelsPath, expectedRank: 1);
        if (images.Dimensions[1] != info.Height || images.Dimensions[2] != info.Width)
            throw new AntidoteException($"{imagesPath}: images are {images.Dimensions[1]}x{images.Dimensions[2]}, {info.Name} has {info.Height}x{info.Width}");
        if (labels.Dimensions[0] != images.Dimensions[0])
            throw new AntidoteException($"{labelsPath}: {labels.Dimensions[0]} labels for {images.Dimensions[0]} images");
        int bad = Array.FindIndex(labels.Data, l => l >= info.Classes);
        if (bad >= 0)
            throw new AntidoteException($"{labelsPath}: label {labels.Data[bad]} at row {bad} is not below {info.Classes} classes");
        int n = images.Dimensions[0];
        using var scope = NewDisposeScope();
        var imageTensor = tensor(images.Data, [n, 1, info.Height, info.Width]).to_type(ScalarType.Float32).div_(255f);
        var labelTensor = tensor(labels.Data, [n]).to_type(ScalarType.Int64);
        return new ImageDataset(imageTensor, labelTensor);
    }
}
