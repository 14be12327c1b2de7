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
    [InlineData("sweep")]
    [InlineData("show-attack")]
    public void Every_command_has_help(string command)
    {
        var (exit, output, _) = ConsoleCapture.Run(command, "--help");
        Assert.Equal(0, exit);
        Assert.Matches($" {command} (\\[<\\w+>\\] )?\\[options\\]", output);
    }

    [Fact]
    public void Show_attack_draws_clean_poisoned_and_difference_for_a_fresh_attack_or_a_run()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 40, test: 20);
        var run = ConsoleCapture.Run("show-attack", "wanet", "--dataset", "mnist", "--data", temp.File("mnist"), "--images", "3", "--png", temp.File("w.png"));
        Assert.True(run.Exit == 0, run.Err);
        using var grid = Antidote.Data.Images.ImageFile.Read(temp.File("w.png"));
        // 28-pixel images scaled up 4x to 112-pixel cells, 3 rows and 3 columns with 2-pixel separators.
        Assert.Equal(new long[] { 1, 2 + 3 * 114, 2 + 3 * 114 }, grid.shape);
        Assert.Contains("clean | poisoned", run.Out);

        AssertUsageError(ConsoleCapture.Run("show-attack"), "an attack name or --run DIR");
        AssertUsageError(ConsoleCapture.Run("show-attack", "badnets", "--attack-run", temp.Path), "an attack name or --run DIR");
        AssertUsageError(ConsoleCapture.Run("show-attack", "nope"), "unknown attack 'nope'");
        AssertUsageError(ConsoleCapture.Run("show-attack", "input-aware", "--dataset", "mnist", "--data", temp.File("mnist")), "trains together with the victim");
        AssertUsageError(ConsoleCapture.Run("show-attack", "badnets", "--dataset", "mnist", "--data", temp.File("mnist"), "--png", temp.File("w.jpg")), "written as a .png");
        Assert.False(File.Exists(temp.File("w.jpg")));
    }

    [Fact]
    public void Every_D3_knob_is_an_option_of_defend()
    {
        string help = ConsoleCapture.Run("defend", "--method", "d3", "--help").Out + ConsoleCapture.Run("defend", "--method", "ft", "--help").Out;
        foreach (string option in new[] { "--d3-push", "--d3-module", "--d3-p", "--d3-lambda", "--d3-epsilon", "--d3-initialization", "--d3-freeze-batch-norm", "--d3-epochs",
                     "--d3-learning-rate", "--d3-batch-size", "--clean-ratio", "--eval-every", "--d3-lambda-mode", "--d3-dual-start", "--d3-dual-step",
                     "--d3-dual-reference-epochs", "--d3-dual-budget-scale", "--d3-dual-budget-floor", "--d3-constraint-holdout", "--d3-early-stop-enabled",
                     "--seed", "--device", "--d3-min-steps", "--d3-dual-steps-per-unit", "--d3-dual-signal", "--d3-hinge-log-every", "--ft-epochs", "--ft-learning-rate" })
            Assert.Contains(option + " ", help);
    }

    [Fact]
    public void Unknown_names_and_bad_values_give_one_line_and_exit_2()
    {
        AssertUsageError(ConsoleCapture.Run("attack", "--model", "resnet999"), "unknown model 'resnet999'; known: small-cnn, preact-resnet18");
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "nope"), "unknown attack 'nope'");
        AssertUsageError(ConsoleCapture.Run("attack", "--poison-ratio", "1.5"), "--poison-ratio must be in [0, 1], got 1.5");
        AssertUsageError(ConsoleCapture.Run("attack", "--poison-ratio", "lots"), "--poison-ratio: 'lots' is not a finite number");
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "sig", "--blended-alpha", "0.3"), "--blended-alpha is an option of attack blended, not of sig");
        AssertUsageError(ConsoleCapture.Run("attack", "--small-cnn-width", "0"), "--small-cnn-width must be in [1, 1024], got 0");
        // The label range comes from the dataset: a tiny one written here, so the check does not need Fashion-MNIST installed.
        using (var dir = new TempDirectory())
        {
            DatasetFiles.WriteMnistFolder(dir.Path, train: 16, test: 4);
            AssertUsageError(ConsoleCapture.Run("attack", "--data", dir.Path, "--target", "10"), "--target must be a label");
        }
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "sig", "--label-mode", "all-to-all"), "not supported by sig");
        AssertUsageError(ConsoleCapture.Run("attack", "--device", "tpu"), "unknown --device 'tpu'");
        AssertUsageError(ConsoleCapture.Run("attack", "--precision", "fp16"), "unknown --precision 'fp16'; use float32 or bf16");
        AssertUsageError(ConsoleCapture.Run("attack", "--attack", "input-aware", "--precision", "bf16"),
            "--precision bf16 is not supported by the attack input-aware yet; use --precision float32");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--method", "nad", "--precision", "bf16"),
            "--precision bf16 is not supported by the defense nad yet");
        AssertUsageError(ConsoleCapture.Run("detox", "--weights", "/", "--model", "small-cnn", "--classes", "2", "--input", "1x8x8",
            "--clean", "/", "--method", "nc", "--precision", "bf16"), "--precision bf16 is not supported by the defense nc yet");
        AssertUsageError(ConsoleCapture.Run("sweep", "--variants", "d3,nad", "--precision", "bf16"), "--precision bf16 is not supported by the defense nad yet");
        AssertUsageError(ConsoleCapture.Run("sweep", "--attacks", "badnets,lf", "--precision", "bf16"), "--precision bf16 is not supported by the attack lf yet");
        AssertUsageError(ConsoleCapture.Run("attack", "--bogus"), "--bogus");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--method", "no-such-defense"), "unknown defense 'no-such-defense'");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--clean-ratio", "0"), "--clean-ratio must be in (0, 1]");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "/nonexistent/run"), "attack run /nonexistent/run not found");
        AssertUsageError(ConsoleCapture.Run("sweep", "--variants", "d3+initialization=sideways"), "--variants 'd3+initialization=sideways': initialization: 'sideways' is not one of random, near, middle, far, noise");
        AssertUsageError(ConsoleCapture.Run("sweep", "--variants", "d3+speed=2"), "'speed' is not an option of d3; known: push, module, p, lambda");
        AssertUsageError(ConsoleCapture.Run("sweep", "--variants", "d3+dual-step=0"), "--variants 'd3+dual-step=0': dual-step must be > 0, got 0");
        AssertUsageError(ConsoleCapture.Run("sweep", "--variants", "no-such-defense"), "unknown defense 'no-such-defense'");
        AssertUsageError(ConsoleCapture.Run("sweep", "--models", "small-cnn+width"), "'width' is not width=VALUE");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--d3-initialization", "bogus"), "Argument 'bogus' not recognized. Must be one of: 'random', 'near'");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--d3-epsilon", "-1"), "--d3-epsilon must be >= 0, got -1");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--d3-dual-step", "0"), "--d3-dual-step must be > 0, got 0");
        AssertUsageError(ConsoleCapture.Run("defend", "--from", "x", "--method", "ft", "--d3-lambda", "3"), "--d3-lambda is an option of defense d3, not of ft");
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
        var attack = ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--small-cnn-width", "4", "--epochs", "1", "--out", runs, "--name", "a", "--threads", "1");
        Assert.True(attack.Exit == 0, attack.Err);
        Assert.Contains("ASR", attack.Out);
        var defend = ConsoleCapture.Run("defend", "--from", Path.Combine(runs, "a"), "--method", "ft", "--ft-epochs", "1", "--clean-ratio", "0.25", "--data", data);
        Assert.True(defend.Exit == 0, defend.Err);
        Assert.Contains("DER", defend.Out);
        Assert.True(Directory.Exists(Path.Combine(runs, "a--ft-s0")));
        var again = ConsoleCapture.Run("defend", "--from", Path.Combine(runs, "a"), "--method", "ft", "--ft-epochs", "1", "--clean-ratio", "0.25", "--data", data);
        AssertUsageError(again, "already exists");

        var scan = ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "a--ft-s0"), "--scan-epochs", "2", "--scan-batch-size", "16", "--data", data);
        Assert.True(scan.Exit == 0, scan.Err);
        Assert.Matches(@"\| 9( \(flagged\))? \| \d+\.\d+ \|", scan.Out); // one row per class
        Assert.Contains("with the real trigger (not used by the scan)", scan.Out);
        Assert.True(File.Exists(Path.Combine(runs, "a--ft-s0--scan-s0", "scan.json")));
        Assert.True(File.Exists(Path.Combine(runs, "a--ft-s0--scan-s0", "triggers.png")));
        AssertUsageError(ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "nothing-here"), "--data", data), "not a run folder");
        var compare = ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "a--ft-s0"), "--compare-input", "--scan-mask", "uniform", "--scan-epochs", "2",
            "--scan-batch-size", "16", "--data", data, "--name", "compared");
        Assert.True(compare.Exit == 0, compare.Err);
        Assert.Matches(@"survival: class \d, the easiest to reach before, is (still among the 3 easiest|now rank \d+ of 10)", compare.Out);
        Assert.True(File.Exists(Path.Combine(runs, "compared", "triggers-before.png")));
        AssertUsageError(ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "a"), "--compare-input", "--data", data), "--compare-input scans a defense run");
        AssertUsageError(ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "a--ft-s0"), "--scan-survival-stand-out", "0.5", "--data", data),
            "--scan-survival-stand-out reads the comparison, which runs only with --compare-input");
        AssertUsageError(ConsoleCapture.Run("scan", "--run", Path.Combine(runs, "a--ft-s0"), "--compare-input", "--scan-survival-stand-out", "1.5", "--data", data),
            "stand-out");

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
        AssertUsageError(ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--small-cnn-width", "2", "--epochs", "1", "--out", temp.File("taken")),
            "is part of the path a file?");
        AssertUsageError(ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--small-cnn-width", "2", "--epochs", "1", "--out", temp.Path, "--name", "taken"),
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
        Assert.Equal(0, ConsoleCapture.Run("attack", "--dataset", "mnist", "--data", data, "--small-cnn-width", "2", "--epochs", "1", "--out", runs, "--name", "a", "--threads", "1").Exit);
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
