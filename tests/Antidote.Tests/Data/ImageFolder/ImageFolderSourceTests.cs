using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Data.ImageFolder;

public class ImageFolderSourceTests
{
    /// <summary>A train/ and val/ tree of 12×12 grayscale PNGs, one folder per class.</summary>
    public static string WriteTree(TempDirectory temp, int train = 48, int val = 16)
    {
        foreach (var (split, count, seed) in new[] { ("train", train, 1), ("val", val, 2) })
        {
            using var images = QuadrantImages.Create(count, seed: seed);
            for (int i = 0; i < count; i++)
            {
                string folder = temp.File($"tree/{split}/q{images.LabelArray[i]}");
                Directory.CreateDirectory(folder);
                ImageFile.WritePng(Path.Combine(folder, $"{i:000}.png"), images.Images[i]);
            }
        }
        return temp.File("tree");
    }

    [Fact]
    public void A_train_and_val_tree_loads_with_the_first_image_s_shape_and_the_training_classes()
    {
        using var temp = new TempDirectory();
        string tree = WriteTree(temp);
        using var split = DatasetCatalog.Load(DatasetCatalog.Default.Get("imagefolder"), tree);
        Assert.Equal((1, 12, 12, 4), (split.Info.Channels, split.Info.Height, split.Info.Width, split.Info.Classes));
        Assert.Equal((48, 16), (split.Train.Count, split.Test.Count));
    }

    [Fact]
    public void Attack_runs_on_an_image_folder_from_the_command_line()
    {
        using var temp = new TempDirectory();
        string tree = WriteTree(temp);
        var run = ConsoleCapture.Run("attack", "--dataset", "imagefolder", "--data", tree, "--small-cnn-width", "2", "--epochs", "1", "--threads", "1",
            "--out", temp.File("runs"), "--name", "a");
        Assert.True(run.Exit == 0, run.Err);
        var bad = ConsoleCapture.Run("attack", "--dataset", "imagefolder", "--data", tree, "--target", "7", "--epochs", "1", "--out", temp.File("runs"));
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--target must be a label of imagefolder (0..3), got 7", bad.Err);
    }
}
