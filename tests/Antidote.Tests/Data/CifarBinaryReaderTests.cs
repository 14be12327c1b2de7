using Antidote.Core;
using Antidote.Data;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Data;

public class CifarBinaryReaderTests
{
    [Fact]
    public void CIFAR10_records_become_channel_first_images_and_labels()
    {
        using var temp = new TempDirectory();
        // Pixel value = channel * 100 + (row == col ? 1 : 0), so planes and positions are checkable.
        byte Pixel(int n, int i) => (byte)(i / 1024 * 100 + ((i % 1024) / 32 == i % 32 ? 1 : 0) + n);
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(temp.File($"data_batch_{b}.bin"), DatasetFiles.CifarRecords(2, 1, n => (n + b) % 10, Pixel));
        File.WriteAllBytes(temp.File("test_batch.bin"), DatasetFiles.CifarRecords(3, 1, n => 9 - n, Pixel));
        using var split = DatasetCatalog.Load(DatasetCatalog.Default.Get("cifar10"), temp.Path);
        Assert.Equal([10, 3, 32, 32], split.Train.Images.shape);
        Assert.Equal([9, 8, 7], split.Test.LabelArray);
        Assert.Equal([1, 2], split.Train.LabelArray[..2]);
        Assert.Equal(201 / 255f, split.Test.Images[0, 2, 5, 5].item<float>(), 6);
        Assert.Equal(100 / 255f, split.Test.Images[0, 1, 5, 6].item<float>(), 6);
    }

    [Fact]
    public void CIFAR100_uses_the_fine_label()
    {
        using var temp = new TempDirectory();
        byte[] train = DatasetFiles.CifarRecords(2, 2, n => 0, (n, i) => 0);
        train[1] = 42; // fine label of record 0 (coarse label byte comes first)
        File.WriteAllBytes(temp.File("train.bin"), train);
        File.WriteAllBytes(temp.File("test.bin"), DatasetFiles.CifarRecords(1, 2, n => 7, (n, i) => 0));
        using var split = DatasetCatalog.Load(DatasetCatalog.Default.Get("cifar100"), temp.Path);
        Assert.Equal([42, 0], split.Train.LabelArray);
    }

    [Fact]
    public void A_truncated_file_is_reported()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("train.bin"), new byte[3074 + 100]);
        File.WriteAllBytes(temp.File("test.bin"), new byte[3074]);
        var error = Assert.Throws<AntidoteException>(() => DatasetCatalog.Load(DatasetCatalog.Default.Get("cifar100"), temp.Path));
        Assert.Contains("train.bin", error.Message);
        Assert.Contains("not a whole number", error.Message);
    }

    [Fact]
    public void A_label_outside_the_classes_is_reported()
    {
        using var temp = new TempDirectory();
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(temp.File($"data_batch_{b}.bin"), DatasetFiles.CifarRecords(1, 1, n => 10, (n, i) => 0));
        File.WriteAllBytes(temp.File("test_batch.bin"), DatasetFiles.CifarRecords(1, 1, n => 0, (n, i) => 0));
        Assert.Contains("label 10", Assert.Throws<AntidoteException>(() => DatasetCatalog.Load(DatasetCatalog.Default.Get("cifar10"), temp.Path)).Message);
    }
}
