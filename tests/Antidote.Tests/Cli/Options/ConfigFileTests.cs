using System.CommandLine;
using Antidote.Cli.Commands;
using Antidote.Cli.Options;
using Antidote.Experiments.Runs;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Cli.Options;

public class ConfigFileTests
{
    [Fact]
    public void Keys_are_flags_nested_mappings_prefix_them_and_lists_become_comma_separated_values()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("grid.yaml"), """
            # a comment
            attack-epochs: 3
            d3:
              dual:
                step: 0.5
            attacks:
              - badnets
              - {name: blended, trigger: noise, target: 3}
            seeds: [0, 1]
            force: yes
            """);
        var settings = ConfigFile.Read(temp.File("grid.yaml")).ToDictionary(s => s.Flag, s => s.Value);
        Assert.Equal("3", settings["--attack-epochs"]);
        Assert.Equal("0.5", settings["--d3-dual-step"]);
        Assert.Equal("badnets,blended+trigger=noise+target=3", settings["--attacks"]);
        Assert.Equal("0,1", settings["--seeds"]);
        Assert.Equal("true", settings["--force"]);
    }

    [Fact]
    public void A_file_binds_to_the_same_config_as_the_flags_and_flags_given_override_it()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("attack.yaml"), "attack: blended\nepochs: 7\nlearning-rate: 0.02\ntarget: 3\nblended:\n  alpha: 0.3\nsmall-cnn:\n  width: 8\n");
        string fromFile = Json(Config("attack", "--config", temp.File("attack.yaml")));
        string fromFlags = Json(Config("attack", "--attack", "blended", "--epochs", "7", "--lr", "0.02", "--target", "3", "--blended-alpha", "0.3", "--small-cnn-width", "8"));
        Assert.Equal(fromFlags, fromFile);

        var overridden = Config("attack", "--config", temp.File("attack.yaml"), "--epochs", "2", "--blended-alpha", "0.1");
        Assert.Equal(2, overridden.Training.Epochs);
        Assert.Equal(0.1, ((Antidote.Attacks.Blended.BlendedOptions)overridden.Attack).Alpha);
        Assert.Equal(3, overridden.Settings.Target);

        // The command line picks another attack: the file's options for the one it replaced no longer apply.
        var other = Config("attack", "--config", temp.File("attack.yaml"), "--attack", "badnets");
        Assert.Equal("badnets", other.AttackName);
    }

    [Fact]
    public void Bad_files_keys_and_values_are_refused_in_one_line_naming_the_file_the_line_and_the_key()
    {
        using var temp = new TempDirectory();
        void Refused(string yaml, params string[] expected)
        {
            File.WriteAllText(temp.File("c.yaml"), yaml);
            var (exit, _, err) = ConsoleCapture.Run("attack", "--config", temp.File("c.yaml"), "--out", temp.File("runs"));
            Assert.Equal(2, exit);
            Assert.Single(err.Trim().Split('\n'));
            foreach (string text in expected) Assert.Contains(text, err);
            Assert.False(Directory.Exists(temp.File("runs")));
        }
        Refused("blended:\n  alphaa: 0.3\n", "c.yaml:2", "'blended.alphaa' is not a setting of `antidote attack`");
        Refused("attack: blended\nblended:\n  alpha: 1.5\n", "--blended-alpha must be in (0, 1], got 1.5", "c.yaml:3", "'blended.alpha: 1.5'");
        Refused("epochs: two\n", "'two'", "--epochs", "c.yaml:1", "'epochs: two'");
        Refused("epochs: [1\n", "c.yaml:", "not valid YAML");
        Refused("- 1\n- 2\n", "a mapping of keys to values");
        Refused("epochs: 3\nepochs: 4\n", "c.yaml:");
        Refused("epochs:\n", "a value is missing");
        Refused("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\n", "c.yaml:");
        AssertFileMissing(temp);
    }

    private static void AssertFileMissing(TempDirectory temp)
    {
        var (exit, _, err) = ConsoleCapture.Run("attack", "--config", temp.File("absent.yaml"));
        Assert.Equal(2, exit);
        Assert.Contains("absent.yaml not found", err);
    }

    [Fact]
    public void A_run_folder_given_as_config_reruns_the_same_run_bit_for_bit()
    {
        using var temp = new TempDirectory();
        string runs = AttackThenFineTune(temp, "--attack", "blended", "--blended-alpha", "0.3", "--target", "2");
        var again = ConsoleCapture.Run("attack", "--config", Path.Combine(runs, "a"), "--out", runs, "--name", "b", "--threads", "1");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Equal(RunRecord.TryRead(Path.Combine(runs, "a"))!.OptionsHash, RunRecord.TryRead(Path.Combine(runs, "b"))!.OptionsHash);
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs, "a", RunFiles.Weights)), File.ReadAllBytes(Path.Combine(runs, "b", RunFiles.Weights)));

        var redefend = ConsoleCapture.Run("defend", "--config", Path.Combine(runs, "f", RunFiles.Config), "--name", "g", "--threads", "1");
        Assert.True(redefend.Exit == 0, redefend.Err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs, "f", RunFiles.Weights)), File.ReadAllBytes(Path.Combine(runs, "g", RunFiles.Weights)));
    }

    [Fact]
    public void A_run_folder_whose_config_no_longer_reads_as_the_run_it_recorded_is_refused_in_one_line()
    {
        // What a default changed since the run was made looks like: the file reads back as other settings than its record's.
        using var temp = new TempDirectory();
        string runs = AttackThenFineTune(temp);
        foreach (string run in new[] { "a", "f" })
        {
            string config = Path.Combine(runs, run, RunFiles.Config);
            string text = File.ReadAllText(config);
            Assert.Contains("\"epochs\": 1,", text);
            File.WriteAllText(config, text.Replace("\"epochs\": 1,", "\"epochs\": 2,"));
            string[] rerun = run == "a"
                ? ["attack", "--config", Path.Combine(runs, run), "--out", runs, "--name", "again", "--threads", "1"]
                : ["defend", "--config", Path.Combine(runs, run), "--name", "again", "--threads", "1"];
            var (exit, _, err) = ConsoleCapture.Run(rerun);
            Assert.Equal(2, exit);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains("reads today as other settings than the run it recorded", err);
            Assert.False(Directory.Exists(Path.Combine(runs, "again")));
        }
    }

    /// <summary>An attack run "a" (one epoch, tiny MNIST, plus <paramref name="attackOptions"/>) and an FT run "f" on it; returns
    /// the runs folder.</summary>
    private static string AttackThenFineTune(TempDirectory temp, params string[] attackOptions)
    {
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 64, test: 16);
        string runs = temp.File("runs");
        var attack = ConsoleCapture.Run(["attack", "--dataset", "mnist", "--data", data, .. attackOptions, "--small-cnn-width", "4",
            "--epochs", "1", "--seed", "5", "--out", runs, "--name", "a", "--threads", "1"]);
        Assert.True(attack.Exit == 0, attack.Err);
        var defend = ConsoleCapture.Run("defend", "--run", Path.Combine(runs, "a"), "--method", "ft", "--ft-epochs", "1",
            "--clean-ratio", "0.25", "--data", data, "--name", "f", "--threads", "1");
        Assert.True(defend.Exit == 0, defend.Err);
        return runs;
    }

    [Fact]
    public void The_example_grids_bind_to_sweep_settings()
    {
        string examples = Path.Combine(RepositoryRoot(), "examples");
        var files = Directory.GetFiles(examples, "*.yaml");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            // The paper's grid asks for CUDA, which this build does not have: the flag overrides the file.
            string[] args = ["sweep", file, "--device", "cpu"];
            var root = Antidote.Cli.Cli.Build();
            var parsed = root.Parse(args);
            parsed = root.Parse(ConfigArguments.Expand(parsed, args, ((SweepCommand)parsed.CommandResult.Command).GridFile(parsed)));
            Assert.Empty(parsed.Errors);
            var settings = ((SweepCommand)parsed.CommandResult.Command).BuildSettings(parsed);
            Assert.NotEmpty(settings.Attacks);
            Assert.NotEmpty(settings.Variants);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "..", ".."));

    private static AttackRunConfig Config(params string[] args)
    {
        var root = Antidote.Cli.Cli.Build();
        var parsed = root.Parse(args);
        parsed = root.Parse(ConfigArguments.Expand(parsed, args));
        Assert.Empty(parsed.Errors);
        return ((AttackCommand)parsed.CommandResult.Command).BuildConfig(parsed);
    }

    private static string Json(AttackRunConfig config) => System.Text.Json.JsonSerializer.Serialize(config, RunJson.Options);
}
