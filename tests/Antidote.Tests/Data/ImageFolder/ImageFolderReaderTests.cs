using Antidote.Core;
using Antidote.Data.ImageFolder;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Data.ImageFolder;

public class ImageFolderReaderTests
{
    [Fact]
    public void Classes_are_the_sorted_sub_folders_and_images_are_fitted_to_the_shape()
    {
        using var temp = new TempDirectory();
        foreach (var (cls, value) in new[] { ("b-dog", 0.2f), ("a-cat", 0.6f) })
        {
            Directory.CreateDirectory(temp.File(cls));
            ImageFile.WritePng(temp.File($"{cls}/1.png"), full(3, 20, 10, value)); // 10 wide, 20 high: resized to 8 wide, cropped
        }
        var read = ImageFolderReader.Read(temp.Path, new ImageShape(3, 8, 8));
        Assert.Equal(["a-cat", "b-dog"], read.Classes);
        Assert.Equal([0, 1], read.Data.LabelArray);
        Assert.Equal([2, 3, 8, 8], read.Data.Images.shape);
        Assert.True(read.Data.Images[0].allclose(full(3, 8, 8, 0.6f), atol: 1f / 255));
        var gray = ImageFolderReader.Read(temp.Path, new ImageShape(1, 8, 8));
        Assert.Equal([2, 1, 8, 8], gray.Data.Images.shape);
    }

    [Fact]
    public void An_unreadable_or_oversized_image_is_named_in_one_line()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("a"));
        File.WriteAllText(temp.File("a/broken.png"), "not an image");
        var error = Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.Path, new ImageShape(3, 8, 8)));
        Assert.Contains("broken.png: not a readable image", error.Message);

        // A valid PNG header declaring 200,000 x 200,000 pixels (40 gigapixels), with no data behind it.
        File.Delete(temp.File("a/broken.png"));
        byte[] header = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 3, 0x0D, 0x40, 0, 3, 0x0D, 0x40, 8, 2, 0, 0, 0];
        uint crc = PngChunk.Crc32(header.AsSpan(12, 17));
        File.WriteAllBytes(temp.File("a/huge.png"), [.. header, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        error = Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.Path, new ImageShape(3, 8, 8)));
        Assert.Contains("huge.png: ", error.Message); // refused from its header (Skia itself declines sizes this large)
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_folder_without_class_folders_or_images_is_refused()
    {
        using var temp = new TempDirectory();
        Assert.Contains("no class sub-folders", Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.Path, new ImageShape(1, 4, 4))).Message);
        Directory.CreateDirectory(temp.File("a"));
        Assert.Contains("no images", Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.Path, new ImageShape(1, 4, 4))).Message);
        Assert.Contains("not found", Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.File("nope"), new ImageShape(1, 4, 4))).Message);
    }

    [Fact]
    public void Links_in_a_class_folder_neither_loop_nor_count_an_image_twice()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("a/sub"));
        ImageFile.WritePng(temp.File("a/1.png"), full(3, 8, 8, 0.5f));
        ImageFile.WritePng(temp.File("a/sub/2.png"), full(3, 8, 8, 0.5f));
        File.CreateSymbolicLink(temp.File("a/l1"), ".");        // loops back to the class folder
        File.CreateSymbolicLink(temp.File("a/sub/l2"), "..");   // and to its parent
        File.CreateSymbolicLink(temp.File("a/again.png"), temp.File("a/1.png"));
        File.CreateSymbolicLink(temp.File("a/proc"), "/proc/self");
        var read = ImageFolderReader.Read(temp.Path, new ImageShape(3, 8, 8));
        Assert.Equal(2, read.Data.Count);
        Assert.Equal([temp.File("a/1.png"), temp.File("a/sub/2.png")], read.Files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_class_folder_that_links_outside_the_dataset_is_refused()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("data/a"));
        ImageFile.WritePng(temp.File("data/a/1.png"), full(3, 8, 8, 0.5f));
        Directory.CreateDirectory(temp.File("elsewhere"));
        ImageFile.WritePng(temp.File("elsewhere/2.png"), full(3, 8, 8, 0.5f));
        File.CreateSymbolicLink(temp.File("data/b"), temp.File("elsewhere"));
        File.CreateSymbolicLink(temp.File("data/c"), "/proc/self");
        var error = Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.File("data"), new ImageShape(3, 8, 8)));
        Assert.Contains("class folder 'b' links outside the folder", error.Message);
        // inside the dataset's folder, a linked class folder is read
        Directory.Delete(temp.File("data/c"));
        File.Delete(temp.File("data/b"));
        File.CreateSymbolicLink(temp.File("data/b"), temp.File("data/a"));
        Assert.Equal(2, ImageFolderReader.Read(temp.File("data"), new ImageShape(3, 8, 8)).Data.Count);
    }

    [Fact]
    public void A_fifo_named_like_an_image_is_refused_by_name_instead_of_opened()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("a"));
        ImageFile.WritePng(temp.File("a/1.png"), full(3, 8, 8, 0.5f));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", temp.File("a/wait.png"))) mkfifo.WaitForExit();
        var error = Assert.Throws<AntidoteException>(() => ImageFolderReader.Read(temp.Path, new ImageShape(3, 8, 8)));
        Assert.Contains("wait.png' is a FIFO, not a regular file", error.Message);
    }
}
