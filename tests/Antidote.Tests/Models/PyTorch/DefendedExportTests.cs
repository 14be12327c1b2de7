using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Defenses;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.Models.PyTorch;

/// <summary>
/// What `detox --method fp|clp|anp|nc` writes back: each pruning or detection defense, run on the PyTorch fixtures, leaves a
/// checkpoint with the original parameter names and shapes, which reads back with the same logits; with
/// ANTIDOTE_EXPORT_DIR set the files stay there and tools/pytorch/check_export.py loads them in PyTorch with strict=True.
/// A defense that does not apply to an architecture says so in one line.
/// </summary>
public class DefendedExportTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "preact-resnet18", "resnet18", "vgg16-bn", "vit" })
            foreach (string defense in new[] { "fp", "clp", "anp", "nc", "nad", "ft-sam", "i-bau", "sau", "fst" })
                data.Add(model, defense);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_defended_fixture_keeps_its_parameter_names_and_shapes_and_is_written_with_its_logits(string model, string defense)
    {
        using var temp = new TempDirectory();
        string folder = Environment.GetEnvironmentVariable("ANTIDOTE_EXPORT_DIR") is { Length: > 0 } dir ? dir : temp.Path;
        Directory.CreateDirectory(folder);
        var spec = PyTorchParityTests.Spec(model);
        using var original = ModelCatalog.Create(spec);
        ModelCheckpoint.Load(original, Path.Combine(PyTorchParityTests.FixtureFolder, $"{model}.safetensors"));
        var info = new DatasetInfo("fixture", spec.InChannels, spec.ImageHeight, spec.ImageWidth, spec.Classes,
            Enumerable.Repeat(0.5f, spec.InChannels).ToArray(), Enumerable.Repeat(0.25f, spec.InChannels).ToArray(), 0, false);
        var generator = new Generator(7);
        using var clean = new ImageDataset(rand([32, spec.InChannels, spec.ImageHeight, spec.ImageWidth], generator: generator),
            randint(0, spec.Classes, [32], dtype: ScalarType.Int64, generator: generator));
        using var pipeline = DataPipeline.For(info, CPU, augment: false);
        var context = new DefenseContext(original, clean, norm => ModelCatalog.Create(spec, norm), pipeline, 0, NullRunLog.Instance);
        var entry = DefenseCatalog.Default.Get(defense);
        var options = Options(defense) ?? (IDefenseOptions)entry.SmokeOptions;

        bool refused = model == "vit" && defense is "clp" or "anp" or "nad";
        if (refused)
        {
            var error = Assert.Throws<AntidoteException>(() => entry.Create(options).Run(context));
            Assert.Matches($"^{defense} does not apply to .*: it has no ", error.Message);
            return;
        }
        using var defended = entry.Create(options).Run(context).Model;
        var before = original.state_dict();
        var after = defended.state_dict();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (key, value) in after) Assert.Equal(before[key].shape, value.shape);

        defended.eval();
        using var input = rand([2, spec.InChannels, spec.ImageHeight, spec.ImageWidth], generator: generator);
        using var noGrad = no_grad();
        using var logits = defended.call(input);
        string stem = Path.Combine(folder, $"{model}.{defense}");
        ModelCheckpoint.Save(defended, stem + ".pth", new PyTorchZipFormat());
        new SafetensorsFormat().Write(stem + ".io.safetensors", new Dictionary<string, WeightTensor>
        {
            ["input"] = new(input.dtype, input.shape, input.contiguous().bytes.ToArray()),
            ["logits"] = new(logits.dtype, logits.shape, logits.contiguous().bytes.ToArray()),
        });
        using var loaded = ModelCatalog.Create(spec);
        ModelCheckpoint.Load(loaded, stem + ".pth");
        loaded.eval();
        Assert.True(loaded.call(input).allclose(logits), $"{model}.{defense}.pth read back differs");
    }

    /// <summary>Smaller than the smoke options where those take seconds per fixture; NC with a threshold that flags any
    /// smaller-than-median class, so its unlearning path (not only "nothing flagged, model unchanged") is written.</summary>
    private static IDefenseOptions? Options(string defense) => defense switch
    {
        "nc" => new Antidote.Defenses.NeuralCleanse.NeuralCleanseOptions(
            new Antidote.Defenses.NeuralCleanse.TriggerSearchOptions(Epochs: 1, BatchSize: 32, AnomalyThreshold: 1e-9),
            FineTune: new Antidote.Defenses.FineTuning.FineTuningOptions(Epochs: 1)),
        "anp" => new Antidote.Defenses.Anp.AnpOptions(Iterations: 2, BatchSize: 16),
        "fp" => new Antidote.Defenses.FinePruning.FinePruningOptions(FineTune: new Antidote.Defenses.FineTuning.FineTuningOptions(Epochs: 1)),
        "nad" => new Antidote.Defenses.Nad.NadOptions(TeacherEpochs: 1, Epochs: 1),
        "ft-sam" => new Antidote.Defenses.FtSam.FtSamOptions(Epochs: 1),
        "fst" => new Antidote.Defenses.Fst.FstOptions(Epochs: 1),
        "sau" => new Antidote.Defenses.Sau.SauOptions(Rounds: 1, AdversarialSteps: 1),
        _ => null,
    };
}
