using Antidote.Attacks.BadNets;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data.ImageFolder;
using Antidote.Data.Images;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Experiments.Detox;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.Defenses;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Detox;

public class DetoxExperimentTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    /// <summary>The planted backdoor's model as someone else's checkpoint (torch.save format, DataParallel prefix) and its
    /// clean images as an image folder of PNGs.</summary>
    private static (string Weights, string Clean) Files(PlantedBackdoor planted, TempDirectory temp)
    {
        ModelCheckpoint.Save(planted.Model, temp.File("theirs.pth"), new PyTorchZipFormat(), keyPrefix: "module.");
        for (int i = 0; i < planted.Clean.Count; i++)
        {
            string folder = temp.File($"clean/class{planted.Clean.LabelArray[i]}");
            Directory.CreateDirectory(folder);
            ImageFile.WritePng(Path.Combine(folder, $"{i:000}.png"), planted.Clean.Images[i]);
        }
        return (temp.File("theirs.pth"), temp.File("clean"));
    }

    private static DetoxSettings Settings(PlantedBackdoor planted, string weights, string clean, IDefenseOptions defense) => new(
        weights, planted.Spec.Options, 4, new ImageShape(1, 12, 12), [0f], [1f], clean, defense, Holdout: 0.25,
        Attack: new BadNetsOptions(PatchSize: 2), Target: 0);

    [Fact]
    public void Detox_removes_a_planted_backdoor_and_writes_the_weights_back_as_they_came()
    {
        var planted = fixture.Planted;
        using var temp = new TempDirectory();
        var (weights, clean) = Files(planted, temp);
        var settings = Settings(planted, weights, clean, new D3Options(Epochs: 30, MinSteps: 0, BatchSize: 32));
        var location = new RunLocation(temp.File("out"), DetoxExperiment.DefaultName(settings));

        var summary = DetoxExperiment.Run(settings, location, NullRunLog.Instance);

        Assert.Equal((90, 30), (summary.TrainImages, summary.HeldOutImages));
        Assert.True(summary.Before.AttackSuccessRate > 0.5, $"before: {summary.Before}");
        Assert.True(summary.After.AttackSuccessRate < summary.Before.AttackSuccessRate / 2, $"before {summary.Before}, after {summary.After}");
        string output = temp.File("out/theirs.d3.pth");
        Assert.Equal(("theirs.d3.pth", "pytorch", "module."), (summary.Output, summary.Format, summary.KeyPrefix));
        using var reloaded = ModelCatalog.Create(planted.Spec);
        Assert.Equal("module.", ModelCheckpoint.Load(reloaded, output).KeyPrefix);
        foreach (string file in new[] { RunFiles.Config, RunFiles.Summary, RunFiles.Record, RunFiles.Log, RunFiles.MetricsCsv, "holdout-files.json" })
            Assert.True(File.Exists(Path.Combine(location.Path, file)), file);
    }

    [Fact]
    public void Detox_in_bfloat16_removes_the_backdoor_under_its_own_name_and_scans_in_float32()
    {
        var planted = fixture.Planted;
        using var temp = new TempDirectory();
        var (weights, clean) = Files(planted, temp);
        var settings = Settings(planted, weights, clean, new D3Options(Epochs: 30, MinSteps: 0, BatchSize: 32)) with
        {
            Compute = new ComputeSettings(Threads: 1, Precision: Precision.Bf16),
            Scan = new TriggerSearchOptions(Epochs: 1, BatchSize: 32),
        };
        var float32 = settings with { Compute = new ComputeSettings(Threads: 1) };
        Assert.Equal(("theirs.d3-bf16", "theirs.d3"), (DetoxExperiment.DefaultName(settings), DetoxExperiment.DefaultName(float32)));
        var location = new RunLocation(temp.File("out"), DetoxExperiment.DefaultName(settings));

        var summary = DetoxExperiment.Run(settings, location, NullRunLog.Instance);

        Assert.True(summary.Before.AttackSuccessRate > 0.5, $"before: {summary.Before}");
        Assert.True(summary.After.AttackSuccessRate < summary.Before.AttackSuccessRate / 2, $"before {summary.Before}, after {summary.After}");
        Assert.Equal("theirs.d3-bf16.pth", summary.Output);
        using var reloaded = ModelCatalog.Create(planted.Spec);
        ModelCheckpoint.Load(reloaded, temp.File("out/theirs.d3-bf16.pth"));
        Assert.All(reloaded.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        string log = File.ReadAllText(Path.Combine(location.Path, RunFiles.Log));
        Assert.Contains("bfloat16 arithmetic with float32 master weights", log);
        Assert.Contains("the scan runs in float32", log);
        Assert.NotNull(summary.ScanAfter);
        Assert.NotEqual(RunRecord.TryRead(location.Path)!.OptionsHash, RunRecord.Hash(float32 with { Compute = null }));
        // The same run in float32 beside it: another file, other weights (the arithmetic really changed).
        DetoxExperiment.Run(float32 with { Scan = null }, new RunLocation(temp.File("out"), DetoxExperiment.DefaultName(float32)), NullRunLog.Instance);
        Assert.NotEqual(File.ReadAllBytes(temp.File("out/theirs.d3.pth")), File.ReadAllBytes(temp.File("out/theirs.d3-bf16.pth")));
    }

    [Fact]
    public void A_clean_folder_that_does_not_fit_the_model_leaves_nothing_behind()
    {
        var planted = fixture.Planted;
        using var temp = new TempDirectory();
        var (weights, clean) = Files(planted, temp);
        Directory.Delete(Path.Combine(clean, "class3"), recursive: true);
        var settings = Settings(planted, weights, clean, new D3Options(Epochs: 1, MinSteps: 0));
        var error = Assert.Throws<AntidoteException>(() => DetoxExperiment.Run(settings, new RunLocation(temp.File("out"), "x"), NullRunLog.Instance));
        Assert.Contains("3 class folders for a model of 4 classes", error.Message);
        Assert.False(Directory.Exists(temp.File("out")) && Directory.EnumerateFileSystemEntries(temp.File("out")).Any());
    }

    [Fact]
    public void An_output_that_would_overwrite_the_input_or_land_in_the_clean_folder_is_refused_before_any_work()
    {
        var planted = fixture.Planted;
        using var temp = new TempDirectory();
        var (weights, clean) = Files(planted, temp);
        var settings = Settings(planted, weights, clean, new D3Options(Epochs: 1, MinSteps: 0));
        byte[] before = File.ReadAllBytes(weights);
        // --out beside the weights and --name "theirs": the cleaned file would be theirs.pth itself (also through a link).
        File.CreateSymbolicLink(temp.File("link"), temp.Path);
        foreach (var location in new[] { new RunLocation(temp.Path, "theirs", Force: true), new RunLocation(temp.File("link"), "theirs", Force: true) })
            Assert.Contains("would overwrite the input checkpoint", Assert.Throws<AntidoteException>(() => DetoxExperiment.Run(settings, location, NullRunLog.Instance)).Message);
        Assert.Equal(before, File.ReadAllBytes(weights));
        Assert.Contains("inside the clean folder", Assert.Throws<AntidoteException>(() =>
            DetoxExperiment.Run(settings, new RunLocation(Path.Combine(clean, "class0"), "x"), NullRunLog.Instance)).Message);
        Directory.CreateDirectory(temp.File("out/x.pth"));
        Assert.Contains("which is a folder", Assert.Throws<AntidoteException>(() =>
            DetoxExperiment.Run(settings, new RunLocation(temp.File("out"), "x"), NullRunLog.Instance)).Message);
    }
}
