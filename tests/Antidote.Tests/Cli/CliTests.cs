using Antidote.Experiments.Runs;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Cli;

public class CliTests
{
    private static void AssertUsageError((int Exit, string Out, string Err) result, string expected)
    {
        Assert.Equal(2, result.Exit);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("antidote: error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", result.Err);
    }

    [Theory]
    [InlineData("attack")]
    [InlineData("defend")]
    [InlineData("eval")]
    [InlineData("demo")]
    [InlineData("list")]
    [InlineData("benchmark")]
    public void Every_command_has_help(string command)
    {
        var (exit, output, _) = ConsoleCapture.Run(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains($" {command} [options]", output);
    }

    [Fact]
    public void Every_D3_knob_is_an_option_of_defend()
    {
        string help = ConsoleCapture.Run("defend", "--help").Out;
        foreach (string option in new[] { "--d3-module", "--p", "--lambda", "--epsilon", "--init", "--freeze-bn", "--epochs", "--lr",
                     "--batch-size", "--clean-ratio", "--eval-every", "--lambda-mode", "--dual-start", "--dual-step", "--reference-epochs",
                     "--budget-scale", "--budget-floor", "--constraint-holdout", "--early-stop", "--seed", "--device", "--min-steps", "--dual-unit", "--hinge-log-every" })
            Assert.Contains(option + " ", help);
    }

    [Fact]
    public void Unknown_names_and_bad_values_give_one_line_and_exit_2()
    {
        AssertUsageError(ConsoleCapture.Run("attack", "--model", "resnet999"), "unknown model 'resnet999'; known: small-cnn, preact-resnet18");
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "nope"), "unknown attack 'nope'");
        AssertUsageError(ConsoleCapture.Run("attack", "--pratio", "1.5"), "--pratio must be in [0, 1]");
        AssertUsageError(ConsoleCapture.Run("attack", "--target", "10"), "--target must be a label");
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "sig", "--label-mode", "all-to-all"), "not supported by sig");
        AssertUsageError(ConsoleCapture.Run("attack", "--device", "tpu"), "unknown --device 'tpu'");
        AssertUsageError(ConsoleCapture.Run("attack", "--bogus"), "--bogus");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--method", "anp"), "unknown defense 'anp'");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--clean-ratio", "0"), "--clean-ratio must be in (0, 1]");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "/nonexistent/run"), "attack run /nonexistent/run not found");
        AssertUsageError(ConsoleCapture.Run("sweep", "--d3", "dual@sideways"), "init takes one of random, near, middle");
        AssertUsageError(ConsoleCapture.Run("sweep", "--d3", "dual+speed=2"), "'speed=2' is not lr=X");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--init", "bogus"), "Argument 'bogus' not recognized. Must be one of: 'random', 'near'");
        AssertUsageError(ConsoleCapture.Run("sweep", "--d3", "fixed"), "'fixed' is not fixed:LAMBDA");
    }

    [Fact]
    public void Missing_data_names_the_files_and_how_to_get_them()
    {
        using var temp = new TempDirectory();
        AssertUsageError(ConsoleCapture.Run("attack", "--data", temp.Path, "--out", temp.File("runs")), "train-images-idx3-ubyte");
        Assert.False(Directory.Exists(temp.File("runs")) && Directory.EnumerateFileSystemEntries(temp.File("runs")).Any());
    }

    [Fact]
    public void Attack_defend_and_eval_run_from_the_command_line_and_reject_a_damaged_checkpoint()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 64, test: 16);
        string runs = temp.File("runs");
        var attack = ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--width", "4", "--epochs", "1", "--out", runs, "--name", "a", "--threads", "1");
        Assert.True(attack.Exit == 0, attack.Err);
        Assert.Contains("ASR", attack.Out);
        var defend = ConsoleCapture.Run("defend", "--from", Path.Combine(runs, "a"), "--method", "ft", "--epochs", "1", "--clean-ratio", "0.25", "--data", data);
        Assert.True(defend.Exit == 0, defend.Err);
        Assert.Contains("DER", defend.Out);
        Assert.True(Directory.Exists(Path.Combine(runs, "a--ft-s0")));
        var again = ConsoleCapture.Run("defend", "--from", Path.Combine(runs, "a"), "--method", "ft", "--epochs", "1", "--clean-ratio", "0.25", "--data", data);
        AssertUsageError(again, "already exists");

        string weights = Path.Combine(runs, "a--ft-s0", RunFiles.Weights);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        AssertUsageError(ConsoleCapture.Run("eval", "--run", Path.Combine(runs, "a--ft-s0"), "--data", data), "truncated weights file");
        var eval = ConsoleCapture.Run("eval", "--run", Path.Combine(runs, "a"), "--data", data);
        Assert.Equal(0, eval.Exit);
        Assert.Matches(@"ACC \d+\.\d+ %  ASR", eval.Out);
    }

    [Fact]
    public void An_output_path_that_is_a_file_gives_one_line_and_exit_2()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 32, test: 8);
        File.WriteAllText(temp.File("taken"), "a file");
        AssertUsageError(ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--width", "2", "--epochs", "1", "--out", temp.File("taken")),
            "is part of the path a file?");
        AssertUsageError(ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--width", "2", "--epochs", "1", "--out", temp.Path, "--name", "taken"),
            "is a file, not a run folder");
        Assert.Equal("a file", File.ReadAllText(temp.File("taken")));
    }

    [Fact]
    public void A_model_card_with_impossible_numbers_gives_one_line_before_building_the_model()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 32, test: 8);
        string runs = temp.File("runs");
        Assert.Equal(0, ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--width", "2", "--epochs", "1", "--out", runs, "--name", "a", "--threads", "1").Exit);
        string card = Path.Combine(runs, "a", RunFiles.ModelCard);
        string original = File.ReadAllText(card);
        foreach (var (field, value, expected) in new[] { ("classes", "2000000000", "classes must be in [2, 100000]"), ("width", "-3", "width must be in [1, 1024]"),
                     ("imageHeight", "0", "image height must be in [1, 4096]") })
        {
            File.WriteAllText(card, System.Text.RegularExpressions.Regex.Replace(original, $"\"{field}\": \\d+", $"\"{field}\": {value}"));
            AssertUsageError(ConsoleCapture.Run("eval", "--run", Path.Combine(runs, "a"), "--data", data), expected);
        }
    }
}
