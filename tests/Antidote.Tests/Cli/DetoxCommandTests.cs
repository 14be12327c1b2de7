using Antidote.Models.SmallCnn;
using Antidote.Data.Images;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Cli;

/// <summary>`antidote detox` from the command line: a run end to end, and every bad checkpoint, image and value refused
/// with one line, exit 2 and nothing written.</summary>
public class DetoxCommandTests
{
    private static string[] Args(string weights, string clean, string output, params string[] more) =>
        ["detox", "--weights", weights, "--model", "small-cnn", "--small-cnn-hidden", "16",
         "--clean", clean, "--out", output, "--d3-epochs", "1", "--d3-min-steps", "0", "--threads", "1", .. more,
         .. more.Contains("--classes") ? Array.Empty<string>() : ["--classes", "4"],
         .. more.Contains("--input") ? Array.Empty<string>() : ["--input", "1x12x12"],
         .. more.Contains("--small-cnn-width") ? Array.Empty<string>() : ["--small-cnn-width", "4"]];

    private static (string Weights, string Clean) Files(TempDirectory temp)
    {
        var spec = new ModelSpec(new SmallCnnOptions(Width: 4, Hidden: 16), 1, 4, 12, 12);
        using var model = ModelCatalog.Create(spec);
        ModelCheckpoint.Save(model, temp.File("model.pth"), new PyTorchZipFormat());
        using var images = QuadrantImages.Create(40, seed: 3);
        for (int i = 0; i < images.Count; i++)
        {
            Directory.CreateDirectory(temp.File($"clean/c{images.LabelArray[i]}"));
            ImageFile.WritePng(temp.File($"clean/c{images.LabelArray[i]}/{i}.png"), images.Images[i]);
        }
        return (temp.File("model.pth"), temp.File("clean"));
    }

    private static void AssertRefused((int Exit, string Out, string Err) result, string expected, string output)
    {
        Assert.Equal(2, result.Exit);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("antidote: error: ", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), $"{output} is not empty");
    }

    [Fact]
    public void Detox_runs_from_the_command_line_and_writes_the_cleaned_checkpoint()
    {
        using var temp = new TempDirectory();
        var (weights, clean) = Files(temp);
        var run = ConsoleCapture.Run(Args(weights, clean, temp.File("out"), "--suspected-attack", "badnets", "--badnets-patch-size", "2"));
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("before: ACC", run.Out);
        Assert.Contains("ASR", run.Out);
        Assert.True(File.Exists(temp.File("out/model.d3.pth")));
    }

    [Fact]
    public void Detox_with_scan_reports_a_verdict_before_and_after_whether_the_suspect_class_survived_and_draws_both_trigger_sets()
    {
        using var temp = new TempDirectory();
        var (weights, clean) = Files(temp);
        var run = ConsoleCapture.Run(Args(weights, clean, temp.File("out"), "--scan", "--scan-epochs", "2", "--scan-batch-size", "16"));
        Assert.True(run.Exit == 0, run.Err);
        Assert.Matches("scan before: .*(looks backdoored|no class stands out)", run.Out);
        Assert.Matches("scan after: .*(looks backdoored|no class stands out)", run.Out);
        Assert.Matches("survival: +class \\d, the easiest to reach before, is (still among|now rank)", run.Out);
        string folder = Assert.Single(Directory.GetDirectories(temp.File("out")));
        Assert.True(File.Exists(Path.Combine(folder, "triggers-before.png")));
        Assert.True(File.Exists(Path.Combine(folder, "triggers-after.png")));

        var unscanned = ConsoleCapture.Run(Args(weights, clean, temp.File("out2")));
        Assert.True(unscanned.Exit == 0, unscanned.Err);
        Assert.Contains("add --scan", unscanned.Out);
    }

    [Fact]
    public void Bad_checkpoints_images_and_values_are_refused_with_one_line()
    {
        using var temp = new TempDirectory();
        var (weights, clean) = Files(temp);
        string output = temp.File("out");
        byte[] valid = File.ReadAllBytes(weights);

        File.WriteAllBytes(temp.File("truncated.pth"), valid[..(valid.Length / 2)]);
        AssertRefused(ConsoleCapture.Run(Args(temp.File("truncated.pth"), clean, output)), "not a readable zip archive", output);
        File.WriteAllText(temp.File("text.pth"), "hello");
        AssertRefused(ConsoleCapture.Run(Args(temp.File("text.pth"), clean, output)), "nor a PyTorch checkpoint", output);
        byte[] huge = new byte[64];
        BitConverter.GetBytes(long.MaxValue / 2).CopyTo(huge, 0);
        huge[8] = (byte)'{';
        File.WriteAllBytes(temp.File("huge.safetensors"), huge);
        AssertRefused(ConsoleCapture.Run(Args(temp.File("huge.safetensors"), clean, output)), "huge.safetensors", output);
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--small-cnn-width", "8")), "does not fit the model: conv1.weight is [4, 1, 3, 3] in the file, the model wants [8, 1, 3, 3]", output);
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--classes", "5")), "linear.weight is [4, 16] in the file, the model wants [5, 16]", output);
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--input", "3x12")), "--input '3x12' is not CxHxW", output);
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--normalize", "0.5/0")), "--normalize", output);
        AssertRefused(ConsoleCapture.Run(Args(temp.File("missing.pth"), clean, output)), "not found", output);
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--scan-epochs", "3")), "--scan-epochs sets the scan, which runs only with --scan", output);
        // WaNet's warping grid is drawn by the attacker: a defender cannot plant it, only bring images the attacker triggered.
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output, "--suspected-attack", "wanet")), "only the attacker has; pass images the attacker triggered with --triggered DIR", output);

        var spec = new ModelSpec(new SmallCnnOptions(Width: 4, Hidden: 16), 1, 4, 12, 12);
        using (var model = ModelCatalog.Create(spec))
        {
            using (no_grad()) model.Classifier.weight![0, 0] = float.NaN;
            ModelCheckpoint.Save(model, temp.File("nan.pth"), new PyTorchZipFormat());
        }
        AssertRefused(ConsoleCapture.Run(Args(temp.File("nan.pth"), clean, output)), "NaN", output);

        File.WriteAllText(Path.Combine(clean, "c0", "zz-broken.png"), "not a png");
        AssertRefused(ConsoleCapture.Run(Args(weights, clean, output)), "zz-broken.png: not a readable image", output);
    }
}
