using Antidote.Data.Idx;

namespace Antidote.Data.FashionMnist;

/// <summary>Fashion-MNIST (Xiao et al. 2017): 60k/10k 28×28 grayscale clothing images, 10 classes.</summary>
public sealed class FashionMnistSource : IDatasetSource
{
    public string Name => "fashion-mnist";
    public string Summary => "Fashion-MNIST, 28x28 grayscale, 10 classes, 60k train / 10k test (IDX files)";
    public string Source => "Xiao, Rasul, Vollgraf 2017; Debian package dataset-fashion-mnist";

    // Mean/std of the training pixels; no flip, like BackdoorBench's MNIST transform.
    public DatasetInfo Info { get; } = new("fashion-mnist", 1, 28, 28, 10, [0.2860f], [0.3530f], CropPadding: 4, HorizontalFlip: false);

    public string FolderName => "fashion-mnist";
    public string? SystemDirectory => "/usr/share/datasets/fashion-mnist";
    public string ExpectedFiles => IdxDatasetLoader.ExpectedFiles;
    public string InstallHint => "install with: sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist (or pass --data DIR)";

    public bool IsPresentIn(string directory) => IdxDatasetLoader.IsPresentIn(directory);

    public DatasetSplit Load(string directory) => IdxDatasetLoader.Load(Info, directory);
}
