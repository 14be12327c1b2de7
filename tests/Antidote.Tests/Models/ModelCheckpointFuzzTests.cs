using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using Xunit.Abstractions;

namespace Antidote.Tests.Models;

public class ModelCheckpointFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Damaged_weights_files_load_or_are_refused_with_one_clear_error()
    {
        using var temp = new TempDirectory();
        var spec = new ModelSpec("small-cnn", 1, 3, 8, 8, 2);
        using var model = ModelCatalog.Create(spec);
        ModelCheckpoint.Save(model, temp.File("valid"));
        byte[] valid = File.ReadAllBytes(temp.File("valid"));
        // Header fields: the entry count after the 19-byte magic, and the first entry's dtype, rank and first dimension
        // (after its length-prefixed name "conv1.weight").
        int first = 19 + 4 + 1 + "conv1.weight".Length;
        var fuzzer = new FileFuzzer(valid, [19, first, first + 4, first + 12, first + 20], bigEndian: false, seed: 4);
        using var target = ModelCatalog.Create(spec);
        var report = fuzzer.Run(3000, temp.File("case"), path => ModelCheckpoint.Load(target, path));
        output.WriteLine($"weights: {report}");
        Assert.True(report.Refused > report.Cases / 2, report.ToString());
    }
}
