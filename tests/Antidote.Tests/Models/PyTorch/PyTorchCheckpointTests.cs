using System.IO.Compression;
using Antidote.Core;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Antidote.Tests.Models.PyTorch;

/// <summary>torch.save checkpoints: the wrappers people's files have, Antidote's own .pth written back, and damaged files.</summary>
public class PyTorchCheckpointTests(ITestOutputHelper output)
{
    private static string Fixture(string file) => Path.Combine(PyTorchParityTests.FixtureFolder, file);

    [Fact]
    public void A_training_checkpoint_with_a_DataParallel_prefix_and_no_batch_counters_loads()
    {
        using var model = PyTorchParityTests.Build("resnet18");
        var layout = ModelCheckpoint.Load(model, Fixture("resnet18.checkpoint.pth"));
        Assert.Equal("state_dict/module.", layout.KeyPrefix);
        Assert.Equal("pytorch", layout.Format.Name);
        using var reference = PyTorchParityTests.Build("resnet18");
        ModelCheckpoint.Load(reference, Fixture("resnet18.safetensors"));
        foreach (var (key, value) in reference.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked")))
            Assert.True(value.eq(model.state_dict()[key]).all().item<bool>(), key);
    }

    [Fact]
    public void Antidote_writes_a_pth_that_reads_back_with_its_prefix()
    {
        using var temp = new TempDirectory();
        using var model = PyTorchParityTests.Build("vit");
        ModelCheckpoint.Load(model, Fixture("vit.pth"));
        ModelCheckpoint.Save(model, temp.File("out.pth"), new PyTorchZipFormat(), keyPrefix: "state_dict/module.");
        using var loaded = PyTorchParityTests.Build("vit");
        var layout = ModelCheckpoint.Load(loaded, temp.File("out.pth"));
        Assert.Equal("state_dict/module.", layout.KeyPrefix);
        foreach (var (key, value) in model.state_dict())
            Assert.True(value.eq(loaded.state_dict()[key]).all().item<bool>(), key);
    }

    [Fact]
    public void Damaged_and_foreign_files_are_refused_with_one_line_naming_the_problem()
    {
        using var temp = new TempDirectory();
        byte[] valid = File.ReadAllBytes(Fixture("vit.pth"));
        using var model = PyTorchParityTests.Build("vit");
        string Refusal(string name, byte[] bytes)
        {
            File.WriteAllBytes(temp.File(name), bytes);
            var error = Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(model, temp.File(name)));
            Assert.DoesNotContain('\n', error.Message);
            return error.Message;
        }

        Assert.Contains("not a readable zip archive", Refusal("truncated.pth", valid[..(valid.Length / 2)]));
        Assert.Contains("nor a PyTorch checkpoint", Refusal("text.pth", "not a checkpoint"u8.ToArray()));
        Assert.Contains("no single <name>/data.pkl", Refusal("nopickle.pth", Rewrite(valid, (name, data) => name.EndsWith("data.pkl") ? null : data)));
        Assert.Contains("in an entry of", Refusal("short.pth", Rewrite(valid, (name, data) => name.EndsWith("/data/0") ? data[..^4] : data)));
        Assert.Contains("its pickle", Refusal("garbage.pth", Rewrite(valid, (name, data) => name.EndsWith("data.pkl") ? data[..(data.Length / 3)] : data)));
        Assert.Contains("has no data entry", Refusal("nodata.pth", Rewrite(valid, (name, data) => name.EndsWith("/data/0") ? null : data)));

        using var small = PyTorchParityTests.Build("resnet18");
        var wrongModel = Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(small, Fixture("vit.pth")));
        Assert.Contains("missing", wrongModel.Message);
        Assert.Contains("unexpected", wrongModel.Message);
    }

    [Fact]
    public void Fuzzed_pth_files_load_or_are_refused_with_the_project_s_error()
    {
        using var temp = new TempDirectory();
        byte[] valid = File.ReadAllBytes(Fixture("vit.pth"));
        using var model = PyTorchParityTests.Build("vit");
        // Header fields: the first local header's sizes and name length, and the end-of-central-directory offsets.
        int end = valid.Length - 22;
        var fuzzer = new FileFuzzer(valid, [18, 22, 26, end + 12, end + 16], bigEndian: false, seed: 7);
        var report = fuzzer.Run(600, temp.File("case.pth"), path => ModelCheckpoint.Load(model, path));
        output.WriteLine($"pth: {report}");
        Assert.True(report.Refused > report.Cases / 3, report.ToString());
    }

    /// <summary>The archive with each entry's bytes replaced (null = entry left out).</summary>
    private static byte[] Rewrite(byte[] zip, Func<string, byte[], byte[]?> change)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var memory = new MemoryStream();
        using (var output = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in input.Entries)
            {
                using var source = new MemoryStream();
                using (var stream = entry.Open()) stream.CopyTo(source);
                if (change(entry.FullName, source.ToArray()) is not byte[] data) continue;
                using var target = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                target.Write(data);
            }
        return memory.ToArray();
    }
}
