using Antidote.Models.SmallCnn;
using Antidote.Attacks;
using Antidote.Core.Logging;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments;
using Antidote.Experiments.Runs;
using Antidote.Experiments.Sweeps;
using Antidote.Tests.TestKit;
using Antidote.Training;

namespace Antidote.Tests.Experiments.Sweeps;

public class SensitivitySweepTests
{
    private static SweepSettings Settings(string root, int defenseEpochs) => new(
        Out: Path.Combine(root, "sweep"), Models: [new("small-cnn", new SmallCnnOptions(Width: 4, Hidden: 16))],
        Attacks: [new("badnets", Components.AttackOptions("badnets"))],
        Variants: [D3("fixed-10", new D3Options(Lambda: 10, Epochs: defenseEpochs, MinSteps: 0, BatchSize: 16, Survival: new SurvivalCheckOptions(Check: false))),
                   D3("dual", new D3Options(Epochs: defenseEpochs, MinSteps: 0, BatchSize: 16, LambdaMode: LambdaMode.Dual, Survival: new SurvivalCheckOptions(Check: false)))],
        Seeds: [0, 1], CleanRatios: [0.2], Dataset: "mnist", DataDirectory: Path.Combine(root, "mnist"),
        AttackEpochs: 1);

    private static SweepVariant D3(string label, D3Options options) => new(label, options);

    [Fact]
    public void A_sweep_tabulates_every_cell_reuses_finished_runs_and_reruns_changed_ones()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        var rows = SensitivitySweep.Run(Settings(temp.Path, 1), NullRunLog.Instance);
        Assert.Equal(4, rows.Count);
        string table = File.ReadAllText(temp.File("sweep/sweep.md"));
        Assert.Contains("| small-cnn | badnets | 16 | fixed-10 | 2 |", table);
        Assert.Contains("| small-cnn | badnets | 16 | dual | 2 |", table);
        Assert.Equal(5, File.ReadAllLines(temp.File("sweep/sweep.csv")).Length);

        string summary = Path.Combine(temp.Path, "sweep", "badnets-mnist-small-cnn-s0--dual-r0.2-s1", RunFiles.Summary);
        var written = File.GetLastWriteTimeUtc(summary);
        SensitivitySweep.Run(Settings(temp.Path, 1), NullRunLog.Instance);
        Assert.Equal(written, File.GetLastWriteTimeUtc(summary));

        var rerun = SensitivitySweep.Run(Settings(temp.Path, 2), NullRunLog.Instance);
        Assert.All(rerun, r => Assert.Equal(2, r.Summary.Epochs));
    }

    [Fact]
    public void A_bfloat16_sweep_in_a_float32_sweep_s_folder_makes_its_own_runs_and_rows()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        var float32 = Settings(temp.Path, 1) with { Seeds = [0], Variants = [new SweepVariant("ft", new FineTuningOptions(Epochs: 1, BatchSize: 16))] };
        SensitivitySweep.Run(float32, NullRunLog.Instance);
        string summary = temp.File("sweep/badnets-mnist-small-cnn-s0--ft-r0.2-s0/summary.json");
        var written = File.GetLastWriteTimeUtc(summary);

        var bf16 = float32 with { Compute = new Antidote.Core.Runtime.ComputeSettings(Precision: Antidote.Core.Runtime.Precision.Bf16) };
        var rows = SensitivitySweep.Run(bf16, NullRunLog.Instance);

        Assert.Equal("small-cnn (bf16)", Assert.Single(rows).Model);
        Assert.True(File.Exists(temp.File("sweep/badnets-mnist-small-cnn-s0-bf16--ft-r0.2-s0/summary.json")));
        Assert.Equal(written, File.GetLastWriteTimeUtc(summary));
        Assert.NotEqual(RunRecord.TryRead(temp.File("sweep/badnets-mnist-small-cnn-s0"))!.OptionsHash,
            RunRecord.TryRead(temp.File("sweep/badnets-mnist-small-cnn-s0-bf16"))!.OptionsHash);
        string table = File.ReadAllText(temp.File("sweep/sweep.md"));
        Assert.Contains("| small-cnn | badnets |", table);
        Assert.Contains("| small-cnn (bf16) | badnets |", table);
    }

    [Fact]
    public void The_table_covers_every_finished_run_in_the_folder_and_each_run_records_its_learning_rate()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        SensitivitySweep.Run(Settings(temp.Path, 1), NullRunLog.Instance);
        var other = Settings(temp.Path, 1) with
        {
            Variants = [D3("fixed-0.5", new D3Options(Epochs: 1, MinSteps: 0, BatchSize: 16, Survival: new SurvivalCheckOptions(Check: false))), new SweepVariant("ft", new FineTuningOptions(Epochs: 1, BatchSize: 16))],
            Seeds = [0],
        };
        var rows = SensitivitySweep.Run(other, NullRunLog.Instance);
        Assert.Equal(2, rows.Count);
        string table = File.ReadAllText(temp.File("sweep/sweep.md"));
        foreach (string cell in new[] { "| fixed-0.5 | 1 |", "| fixed-10 | 2 |", "| dual | 2 |", "| ft | 1 |" })
            Assert.Contains($"| small-cnn | badnets | 16 {cell}", table);
        Assert.Equal(7, File.ReadAllLines(temp.File("sweep/sweep.csv")).Length);

        var config = RunJson.Read<DefenseRunConfig>(temp.File("sweep/badnets-mnist-small-cnn-s0--dual-r0.2-s0/config.json"));
        Assert.Equal(0.005, ((D3Options)config.Options).LearningRate);
        // results.csv: header, the attack run, the first call's 4 defense runs and the second call's two.
        Assert.Equal(8, File.ReadAllLines(temp.File("sweep/results.csv")).Length);
    }

    [Fact]
    public void A_backdoored_model_trained_by_the_attack_command_with_default_settings_is_reused()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        var settings = Settings(temp.Path, 1) with { Variants = [Settings(temp.Path, 1).Variants[0]], Seeds = [0] };
        // The attack command spells out the trigger's defaults and scores every epoch; the sweep leaves both to defaults.
        var attackCommandConfig = new AttackRunConfig("mnist", new SmallCnnOptions(Width: 4, Hidden: 16), Components.AttackOptions("badnets"),
            new AttackSettings(), TrainingSettings.BackdoorBenchAttack(settings.AttackEpochs),
            Seed: 0, DataDirectory: settings.DataDirectory, EvalEvery: 1);
        var location = new RunLocation(settings.Out, AttackExperiment.DefaultName(attackCommandConfig));
        Assert.Equal(SensitivitySweep.AttackRunName("badnets", "mnist", "small-cnn"), location.Name);
        AttackExperiment.Run(attackCommandConfig, location, NullRunLog.Instance);
        string weights = Path.Combine(location.Path, RunFiles.Weights);
        var written = File.GetLastWriteTimeUtc(weights);

        SensitivitySweep.Run(settings, NullRunLog.Instance);

        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
    }
}
