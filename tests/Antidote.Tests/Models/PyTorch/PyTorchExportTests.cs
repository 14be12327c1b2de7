using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Models.PyTorch;

/// <summary>
/// The export direction: Antidote changes each fixture model (its classifier moved, as a defense would), writes it as .pth
/// and as safetensors with its own logits, and reads both back. With ANTIDOTE_EXPORT_DIR set, the files stay there for
/// tools/pytorch/check_export.py, which loads them in PyTorch and compares its logits with Antidote's (.ci/run does).
/// </summary>
public class PyTorchExportTests
{
    [Fact]
    public void Every_architecture_is_written_in_both_formats_with_its_logits()
    {
        using var temp = new TempDirectory();
        string folder = Environment.GetEnvironmentVariable("ANTIDOTE_EXPORT_DIR") is { Length: > 0 } dir ? dir : temp.Path;
        Directory.CreateDirectory(folder);
        var io = new SafetensorsFormat().Read(Path.Combine(PyTorchParityTests.FixtureFolder, "vit.io.safetensors"));
        foreach (string name in PyTorchParityTests.Fixtures().Select(row => (string)row[0]).Distinct())
        {
            using var model = PyTorchParityTests.Build(name);
            ModelCheckpoint.Load(model, Path.Combine(PyTorchParityTests.FixtureFolder, $"{name}.safetensors"));
            using (no_grad()) model.Classifier.weight!.add_(0.05f);
            model.eval();
            using var input = empty(io["input"].Shape, io["input"].Type);
            input.bytes = io["input"].Data;
            using var noGrad = no_grad();
            using var logits = model.call(input);
            ModelCheckpoint.Save(model, Path.Combine(folder, $"{name}.pth"), new PyTorchZipFormat());
            ModelCheckpoint.Save(model, Path.Combine(folder, $"{name}.safetensors"), new SafetensorsFormat());
            new SafetensorsFormat().Write(Path.Combine(folder, $"{name}.io.safetensors"), new Dictionary<string, WeightTensor>
            {
                ["input"] = io["input"],
                ["logits"] = new(logits.dtype, logits.shape, logits.contiguous().bytes.ToArray()),
            });
            foreach (string format in new[] { "pth", "safetensors" })
            {
                using var loaded = PyTorchParityTests.Build(name);
                ModelCheckpoint.Load(loaded, Path.Combine(folder, $"{name}.{format}"));
                loaded.eval();
                Assert.True(loaded.call(input).allclose(logits), $"{name}.{format} read back differs");
            }
        }
    }
}
