using Antidote.Data.Idx;

namespace Antidote.Data.Mnist;

/// <summary>MNIST digits: 60k/10k 28×28 grayscale, 10 classes, in the IDX files users bring.</summary>
public sealed class MnistSource : IDatasetSource
{
    public string Name => "mnist";
    public string Summary => "MNIST digits, 28x28 grayscale, 10 classes (IDX files you provide)";
    public string Source => "LeCun et al. 1998";

    // BackdoorBench's MNIST normalisation (mean 0.5, std 0.5); no flip for digits.
    public DatasetInfo Info { get; } = new("mnist", 1, 28, 28, 10, [0.5f], [0.5f], CropPadding: 4, HorizontalFlip: false);

    public string FolderName => "mnist";
    public string? SystemDirectory => null;
    public string ExpectedFiles => IdxDatasetLoader.ExpectedFiles;
    public string InstallHint => "download the four IDX files and pass --data DIR (or set ANTIDOTE_DATA)";

    public bool IsPresentIn(string directory) => IdxDatasetLoader.IsPresentIn(directory);

    public DatasetSplit Load(string directory) => IdxDatasetLoader.Load(Info, directory);
}
