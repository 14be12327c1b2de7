using Antidote.Models.SmallCnn;
using Antidote.Attacks;
using Antidote.Attacks.Blended;
using Antidote.Attacks.LabelConsistent;
using Antidote.Attacks.LowFrequency;
using Antidote.Attacks.Ssba;
using Antidote.Attacks.TrojanNN;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments;
using Antidote.Experiments.Runs;
using Antidote.Tests.Attacks;
using Antidote.Tests.TestKit;
using Antidote.Training;

namespace Antidote.Tests.Experiments;

public class RunFolderTests
{
    private static AttackRunConfig TinyAttack(string data, string attack = "badnets", long seed = 0) =>
        new("mnist", new SmallCnnOptions(Width: 4, Hidden: 16), Components.AttackOptions(attack), new AttackSettings(), new TrainingSettings(1, 0.01, 32), seed,
            DataDirectory: data, EvalEvery: 1);

    [Fact]
    public void Attack_then_defend_then_eval_writes_self_describing_run_folders()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 160, test: 40);
        var attackConfig = TinyAttack(data, "blended");
        var location = new RunLocation(temp.File("runs"), "attack");
        var attack = AttackExperiment.Run(attackConfig, location, NullRunLog.Instance);
        Assert.Equal(16, attack.PoisonedSamples);
        foreach (string file in new[] { RunFiles.Config, RunFiles.PoisonPlan, RunFiles.Weights, RunFiles.ModelCard, RunFiles.MetricsCsv,
                     RunFiles.MetricsJson, RunFiles.Summary, RunFiles.Log, RunFiles.Record, BlendedAttack.TriggerFile })
            Assert.True(File.Exists(Path.Combine(location.Path, file)), file);
        Assert.StartsWith("epoch,loss,lr,seconds,acc,asr,ra", File.ReadAllLines(Path.Combine(location.Path, RunFiles.MetricsCsv))[0]);

        var defenseConfig = new DefenseRunConfig(location.Path, new D3Options(Epochs: 2, MinSteps: 0, BatchSize: 8, Survival: new SurvivalCheckOptions(Check: false)), CleanRatio: 0.1, EvalEvery: 1);
        var defenseLocation = DefenseExperiment.DefaultLocation(defenseConfig);
        Assert.Equal(temp.File("runs"), defenseLocation.Parent);
        Assert.Equal("attack--d3-s0", defenseLocation.Name);
        var defense = DefenseExperiment.Run(defenseConfig, defenseLocation, NullRunLog.Instance);
        Assert.Equal(16, defense.CleanSamples);
        Assert.InRange(defense.DefenseEffectiveness, 0, 1);
        string header = File.ReadAllLines(Path.Combine(defenseLocation.Path, RunFiles.MetricsCsv))[0];
        Assert.Equal("epoch,loss,lr,seconds,acc,asr,budget,clean_hinge,distance,hinge,lambda,ra,signal,train_acc", header);

        // Every stage of each run is timed, in order, and the training or defending stage covers the summary's time.
        Assert.Equal(["data", "trigger", "poison", "train", "evaluate", "save"], attack.Stages!.Select(s => s.Stage));
        Assert.Equal(["data", "defend", "evaluate", "save"], defense.Stages!.Select(s => s.Stage));
        Assert.All(attack.Stages!.Concat(defense.Stages!), s => Assert.True(s.Seconds >= 0));
        Assert.True(attack.Stages!.Single(s => s.Stage == "train").Seconds >= attack.Seconds);
        Assert.True(defense.Stages!.Single(s => s.Stage == "defend").Seconds >= defense.Seconds);
        var stored = RunJson.Read<Antidote.Experiments.Runs.DefenseSummary>(Path.Combine(defenseLocation.Path, RunFiles.Summary));
        Assert.Equal(defense.Stages, stored.Stages);

        var evaluated = EvalExperiment.Run(defenseLocation.Path, null, new());
        Assert.Equal(defense.After, evaluated);
        Assert.Equal(["attack", "attack--d3-s0"], Directory.GetDirectories(temp.File("runs")).Select(Path.GetFileName).Order());

        // The run records say what each folder is; the defense names its attack run relative to itself, so the tree can move.
        var record = RunRecord.TryRead(defenseLocation.Path)!;
        Assert.Equal((RunRecord.DefenseKind, "../attack", "mnist", "small-cnn", "blended", "d3"), (record.Kind, record.Parent, record.Dataset, record.Model, record.Attack, record.Method));
        Assert.Equal(RunRecord.AttackKind, RunRecord.TryRead(location.Path)!.Kind);
        Directory.Move(temp.File("runs"), temp.File("moved"));
        Assert.Equal(defense.After, EvalExperiment.Run(temp.File("moved/attack--d3-s0"), null, new()));
        // Only the chosen defense's options are stored, with "$type" naming it.
        string config = File.ReadAllText(temp.File("moved/attack--d3-s0/config.json"));
        Assert.Contains("\"$type\": \"d3\"", config);
        Assert.DoesNotContain("fineTuning", config);
    }

    [Fact]
    public void Every_attack_and_defense_marked_for_bfloat16_runs_in_it_and_its_folders_say_so()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 96, test: 24);
        var bf16 = new Antidote.Core.Runtime.ComputeSettings(Precision: Antidote.Core.Runtime.Precision.Bf16);
        var attacks = AttackCatalog.Default.Entries.Where(e => e.SupportsBFloat16).Select(e => e.Name).ToList();
        var defenses = DefenseCatalog.Default.Entries.Where(e => e.SupportsBFloat16).ToList();
        Assert.Equal(["badnets", "blended", "sig", "wanet", "bpp"], attacks);
        Assert.Equal(["d3", "ft", "fst", "none"], defenses.Select(e => e.Name));
        foreach (string name in attacks)
        {
            var config = TinyAttack(data, name) with { Compute = bf16 };
            Assert.EndsWith("-bf16", AttackExperiment.DefaultName(config));
            var location = new RunLocation(temp.File("runs"), AttackExperiment.DefaultName(config));
            var attack = AttackExperiment.Run(config, location, NullRunLog.Instance);
            Assert.InRange(attack.Result.Accuracy, 0, 1);
            Assert.Contains("\"precision\": \"bf16\"", File.ReadAllText(Path.Combine(location.Path, RunFiles.Config)));
            Assert.Contains("bfloat16 arithmetic with float32 master weights", File.ReadAllText(Path.Combine(location.Path, RunFiles.Log)));
            foreach (var defense in defenses)
            {
                var defend = new DefenseRunConfig(location.Path, (IDefenseOptions)defense.SmokeOptions, CleanRatio: 0.2, Compute: bf16);
                var defended = DefenseExperiment.DefaultLocation(defend);
                Assert.EndsWith("-bf16", defended.Name);
                var summary = DefenseExperiment.Run(defend, defended, NullRunLog.Instance);
                Assert.True(double.IsFinite(summary.After.Accuracy), $"{name} {defense.Name}");
            }
        }
    }

    [Theory]
    [InlineData("wanet")]
    [InlineData("bpp")]
    [InlineData("input-aware")]
    public void An_attack_that_poisons_per_batch_plans_no_rows_and_eval_and_a_defense_rebuild_the_ASR_it_printed(string name)
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 160, test: 40);
        var location = new RunLocation(temp.File("runs"), "attack");
        var log = new ListRunLog();
        var summary = AttackExperiment.Run(TinyAttack(data, name) with { Training = new TrainingSettings(2, 0.01, 32) }, location, log);
        Assert.Equal(0, summary.PoisonedSamples);
        Assert.Contains(log.Lines, l => l.Contains("10% of every training batch poisoned while the model trains"));
        Assert.True(log.Lines.Any(l => l.Contains("train_asr")), string.Join("\n", log.Lines.Where(l => !l.StartsWith("progress")))); // the objective's own numbers reach the log
        var plan = AttackRun.Open(location.Path).Plan;
        Assert.True(plan.PerBatch);
        Assert.Empty(plan.Indices);
        Assert.Equal(summary.Result, EvalExperiment.Run(location.Path, null, new()));

        var defense = DefenseExperiment.Run(new DefenseRunConfig(location.Path, new FineTuningOptions(Epochs: 1), CleanRatio: 0.1),
            new RunLocation(temp.File("runs"), "ft"), NullRunLog.Instance);
        Assert.Equal(summary.Result, defense.Before);
    }

    [Theory]
    [InlineData("wanet")]
    [InlineData("bpp")]
    [InlineData("input-aware")]
    [InlineData("lc")]
    [InlineData("ssba")]
    public void Attacks_that_train_a_trigger_or_poison_per_batch_run_on_CIFAR_files_with_PreAct_ResNet18_and_eval_gives_the_printed_ASR(string name)
    {
        using var temp = new TempDirectory();
        string data = temp.File("cifar10");
        DatasetFiles.WriteCifar10Folder(data);
        var config = new AttackRunConfig("cifar10", Components.Model("preact-resnet18"), Components.AttackOptions(name), new AttackSettings(),
            new TrainingSettings(1, 0.01, 32), 0, DataDirectory: data, EvalEvery: 1);
        var location = new RunLocation(temp.File("runs"), "attack");
        var summary = AttackExperiment.Run(config, location, NullRunLog.Instance);
        Assert.Equal(summary.Result, EvalExperiment.Run(location.Path, null, new()));
        Assert.InRange(summary.Result.AttackSuccessRate, 0, 1);
    }

    [Fact]
    public void Attacks_computed_against_a_clean_model_run_on_CIFAR_files_with_PreAct_ResNet18_share_that_model_and_rebuild_from_the_run_folder()
    {
        using var temp = new TempDirectory();
        string data = temp.File("cifar10");
        DatasetFiles.WriteCifar10Folder(data);
        string Run(string name, ListRunLog log)
        {
            var config = new AttackRunConfig("cifar10", Components.Model("preact-resnet18"), Components.AttackOptions(name), new AttackSettings(),
                new TrainingSettings(1, 0.01, 32), 0, DataDirectory: data);
            var location = new RunLocation(temp.File("runs"), name);
            var summary = AttackExperiment.Run(config, location, log);
            Assert.Equal(summary.Result, EvalExperiment.Run(location.Path, null, new()));
            var defense = DefenseExperiment.Run(new DefenseRunConfig(location.Path, new FineTuningOptions(Epochs: 1), CleanRatio: 0.1),
                new RunLocation(temp.File("runs"), name + "--ft"), NullRunLog.Instance);
            Assert.Equal(summary.Result, defense.Before);
            return location.Path;
        }
        var first = new ListRunLog();
        string trojan = Run("trojannn", first);
        Assert.Contains(first.Lines, l => l.Contains("training a clean model"));
        Assert.True(File.Exists(Path.Combine(trojan, TrojanNNAttack.TriggerFile)));
        // LF asks for the same clean model (same epochs, seed, data and architecture): it is loaded, not trained again.
        var second = new ListRunLog();
        string lf = Run("lf", second);
        Assert.Contains(second.Lines, l => l.Contains("clean model loaded from"));
        Assert.DoesNotContain(second.Lines, l => l.Contains("training a clean model"));
        Assert.True(File.Exists(Path.Combine(lf, LowFrequencyAttack.PatternFile)));
        Assert.Single(Directory.GetFiles(temp.File("runs/.clean-models")));
    }

    [Fact]
    public void BackdoorBench_image_files_for_SSBA_and_LC_plant_a_backdoor_on_CIFAR_files_and_the_run_folder_needs_them_no_more()
    {
        using var temp = new TempDirectory();
        string data = temp.File("cifar10");
        DatasetFiles.WriteCifar10Folder(data);
        File.WriteAllBytes(temp.File("ssba_train.npy"), SsbaTests.ImageFile(80, 32, 3, salt: 1).File);
        File.WriteAllBytes(temp.File("ssba_test.npy"), SsbaTests.ImageFile(20, 32, 3, salt: 2).File);
        File.WriteAllBytes(temp.File("lc_train.npy"), SsbaTests.ImageFile(80, 32, 3, salt: 3).File);
        void Run(string name, IAttackOptions options, string[] files)
        {
            var config = new AttackRunConfig("cifar10", Components.Model("small-cnn"), options, new AttackSettings(),
                new TrainingSettings(1, 0.01, 32), 0, DataDirectory: data);
            var location = new RunLocation(temp.File("runs"), name);
            var summary = AttackExperiment.Run(config, location, NullRunLog.Instance);
            foreach (string file in files) File.Delete(file);
            Assert.Equal(summary.Result, EvalExperiment.Run(location.Path, null, new()));
            var defense = DefenseExperiment.Run(new DefenseRunConfig(location.Path, new FineTuningOptions(Epochs: 1), CleanRatio: 0.1),
                new RunLocation(temp.File("runs"), name + "--ft"), NullRunLog.Instance);
            Assert.Equal(summary.Result, defense.Before);
        }
        Run("ssba", new SsbaOptions(TrainFile: temp.File("ssba_train.npy"), TestFile: temp.File("ssba_test.npy")),
            [temp.File("ssba_train.npy"), temp.File("ssba_test.npy")]);
        Assert.True(File.Exists(temp.File($"runs/ssba/{SsbaAttack.TestImagesFile}")));
        Run("lc", new LabelConsistentOptions(ImagesFile: temp.File("lc_train.npy")), [temp.File("lc_train.npy")]);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_bit_for_bit()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 96, test: 16);
        AttackExperiment.Run(TinyAttack(data), new RunLocation(temp.Path, "a"), NullRunLog.Instance);
        AttackExperiment.Run(TinyAttack(data), new RunLocation(temp.Path, "b"), NullRunLog.Instance);
        AttackExperiment.Run(TinyAttack(data, seed: 1), new RunLocation(temp.Path, "c"), NullRunLog.Instance);
        byte[] a = File.ReadAllBytes(Path.Combine(temp.Path, "a", RunFiles.Weights));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(temp.Path, "b", RunFiles.Weights)));
        Assert.NotEqual(a, File.ReadAllBytes(Path.Combine(temp.Path, "c", RunFiles.Weights)));
        Assert.Equal(File.ReadAllText(Path.Combine(temp.Path, "a", RunFiles.PoisonPlan)), File.ReadAllText(Path.Combine(temp.Path, "b", RunFiles.PoisonPlan)));
    }

    /// <summary>A finished tiny attack run in TEMP/runs/attack (its data in TEMP/mnist).</summary>
    private static RunLocation TinyAttackRun(TempDirectory temp)
    {
        string data = temp.File("mnist");
        DatasetFiles.WriteMnistFolder(data, train: 32, test: 8);
        var location = new RunLocation(temp.File("runs"), "attack");
        AttackExperiment.Run(TinyAttack(data), location, NullRunLog.Instance);
        return location;
    }

    [Fact]
    public void A_failed_run_leaves_no_folder_behind()
    {
        using var temp = new TempDirectory();
        var location = TinyAttackRun(temp);
        // Defending with a module the model lacks fails after the staging folder exists.
        var config = new DefenseRunConfig(location.Path, new D3Options(Module: "nope", Epochs: 1, MinSteps: 0), CleanRatio: 0.5);
        var log = new ListRunLog();
        Assert.Throws<AntidoteException>(() => DefenseExperiment.Run(config, DefenseExperiment.DefaultLocation(config), log));
        // refused before D3's reference fine-tuning trains a single epoch
        Assert.DoesNotContain(log.Lines, l => l.Contains("epoch"));
        Assert.Equal(["attack"], Directory.EnumerateFileSystemEntries(temp.File("runs")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_model_card_that_disagrees_with_the_config_or_an_output_over_the_input_is_refused()
    {
        using var temp = new TempDirectory();
        var location = TinyAttackRun(temp);
        Assert.NotNull(AttackRun.Open(location.Path));
        // --out/--name that name the attack run itself (with --force) would replace the model being defended.
        var defend = new DefenseRunConfig(location.Path, new D3Options(Epochs: 1, MinSteps: 0, Survival: new SurvivalCheckOptions(Check: false)), CleanRatio: 0.5);
        Assert.Contains("would replace or sit inside", Assert.Throws<AntidoteException>(() =>
            DefenseExperiment.Run(defend, new RunLocation(temp.File("runs"), "attack", Force: true), NullRunLog.Instance)).Message);
        Assert.True(File.Exists(Path.Combine(location.Path, RunFiles.Weights)));
        string card = Path.Combine(location.Path, RunFiles.ModelCard);
        File.WriteAllText(card, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(card), "\"width\": (\\d+)", m => $"\"width\": {int.Parse(m.Groups[1].Value) + 1}"));
        var error = Assert.Throws<AntidoteException>(() => AttackRun.Open(location.Path));
        Assert.Contains("disagree", error.Message);
    }

    [Fact]
    public void The_clean_subset_is_the_ratio_of_the_training_set_and_repeats_with_the_seed()
    {
        long[] subset = DefenseExperiment.CleanSubset(1000, 0.05, 3);
        Assert.Equal(50, subset.Length);
        Assert.Equal(subset.Length, subset.Distinct().Count());
        Assert.Equal(subset, DefenseExperiment.CleanSubset(1000, 0.05, 3));
        Assert.NotEqual(subset, DefenseExperiment.CleanSubset(1000, 0.05, 4));
    }
}
