using Antidote.Data.Cifar;

namespace Antidote.Data.Cifar100;

/// <summary>CIFAR-100, binary version: train.bin and test.bin, fine labels.</summary>
public sealed class Cifar100Source : IDatasetSource
{
    public string Name => "cifar100";
    public string Summary => "CIFAR-100, 32x32 colour, 100 fine classes, binary version (files you provide)";
    public string Source => "Krizhevsky 2009";

    // BackdoorBench's CIFAR-100 normalisation; its training transform flips only CIFAR-10 (dataset_and_transform_generate.py).
    public DatasetInfo Info { get; } = new("cifar100", 3, 32, 32, 100,
        [0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f], CropPadding: 4, HorizontalFlip: false);

    public string FolderName => "cifar-100-binary";
    public string? SystemDirectory => null;
    public string ExpectedFiles => "train.bin and test.bin";
    public string InstallHint => "get the CIFAR-100 binary version and pass --data DIR (or set ANTIDOTE_DATA)";

    public bool IsPresentIn(string directory) =>
        File.Exists(Path.Combine(directory, "train.bin")) && File.Exists(Path.Combine(directory, "test.bin"));

    public DatasetSplit Load(string directory) => new(Info,
        CifarBinaryReader.Read([Path.Combine(directory, "train.bin")], labelBytes: 2, labelOffset: 1, Info.Classes),
        CifarBinaryReader.Read([Path.Combine(directory, "test.bin")], labelBytes: 2, labelOffset: 1, Info.Classes));
}
