using Antidote.Data.Cifar;

namespace Antidote.Data.Cifar10;

/// <summary>CIFAR-10, binary version: data_batch_1..5.bin and test_batch.bin.</summary>
public sealed class Cifar10Source : IDatasetSource
{
    private static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    public string Name => "cifar10";
    public string Summary => "CIFAR-10, 32x32 colour, 10 classes, binary version (files you provide)";
    public string Source => "Krizhevsky 2009";

    // BackdoorBench's CIFAR-10 normalisation and transform (crop pad 4, horizontal flip).
    public DatasetInfo Info { get; } = new("cifar10", 3, 32, 32, 10,
        [0.4914f, 0.4822f, 0.4465f], [0.247f, 0.243f, 0.261f], CropPadding: 4, HorizontalFlip: true);

    public string FolderName => "cifar-10-batches-bin";
    public string? SystemDirectory => null;
    public string ExpectedFiles => "data_batch_1..5.bin and test_batch.bin";
    public string InstallHint => "get the CIFAR-10 binary version and pass --data DIR (or set ANTIDOTE_DATA)";

    public bool IsPresentIn(string directory) =>
        TrainFiles.Append("test_batch.bin").All(f => File.Exists(Path.Combine(directory, f)));

    public DatasetSplit Load(string directory) => new(Info,
        CifarBinaryReader.Read(TrainFiles.Select(f => Path.Combine(directory, f)).ToList(), labelBytes: 1, labelOffset: 0, Info.Classes),
        CifarBinaryReader.Read([Path.Combine(directory, "test_batch.bin")], labelBytes: 1, labelOffset: 0, Info.Classes));
}
