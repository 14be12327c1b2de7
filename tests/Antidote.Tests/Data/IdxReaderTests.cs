using Antidote.Core;
using Antidote.Data;
using Antidote.Data.Idx;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData("images.gz")]
    [InlineData("images")]
    public void Reads_gzip_and_raw_IDX_files(string name)
    {
        using var temp = new TempDirectory();
        byte[] data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        DatasetFiles.WriteIdx(temp.File(name), data, 2, 3, 4);
        var array = IdxReader.Read(temp.File(name), expectedRank: 3);
        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(data, array.Data);
    }

    [Fact]
    public void Bad_magic_is_reported_with_the_path()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("x"), [1, 2, 3, 4, 5, 6, 7, 8]);
        var error = Assert.Throws<AntidoteException>(() => IdxReader.Read(temp.File("x"), 1));
        Assert.Contains("bad magic", error.Message);
        Assert.Contains(temp.File("x"), error.Message);
    }

    [Fact]
    public void Truncated_data_is_reported()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteIdx(temp.File("x"), new byte[10], 2, 3, 4);
        Assert.Contains("truncated", Assert.Throws<AntidoteException>(() => IdxReader.Read(temp.File("x"), 3)).Message);
    }

    [Fact]
    public void Corrupt_gzip_is_reported()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("x.gz"), [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        Assert.Contains("corrupt", Assert.Throws<AntidoteException>(() => IdxReader.Read(temp.File("x.gz"), 3)).Message);
    }

    [Fact]
    public void A_dataset_folder_loads_into_tensors_in_the_unit_range()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.Path, train: 8, test: 4);
        using var split = DatasetCatalog.Load(DatasetCatalog.Default.Get("mnist"), temp.Path);
        Assert.Equal([8, 1, 28, 28], split.Train.Images.shape);
        Assert.Equal(4, split.Test.Count);
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], split.Train.LabelArray);
        Assert.InRange(split.Train.Images.max().item<float>(), 0.5f, 1f);
        Assert.True(split.Train.Images.min().item<float>() >= 0);
    }

    [Fact]
    public void Images_of_the_wrong_size_are_rejected()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.Path, train: 2, test: 2);
        DatasetFiles.WriteIdx(Path.Combine(temp.Path, "train-images-idx3-ubyte.gz"), new byte[2 * 32 * 32], 2, 32, 32);
        var error = Assert.Throws<AntidoteException>(() => DatasetCatalog.Load(DatasetCatalog.Default.Get("mnist"), temp.Path));
        Assert.Contains("32x32", error.Message);
    }

    [Fact]
    public void Missing_files_name_the_files_the_folders_and_the_install_command()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<AntidoteException>(() => DatasetCatalog.Locate(DatasetCatalog.Default.Get("fashion-mnist"), temp.Path));
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains(temp.Path, error.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", error.Message);
    }
}
