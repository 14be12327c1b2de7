using Antidote.Models.SmallCnn;
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
        var spec = new ModelSpec(new SmallCnnOptions(Width: 2), 1, 3, 8, 8);
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

    [Theory]
    [InlineData("rank", 1_000_000_000L, "rank 1000000000")]
    [InlineData("length", -5L, "truncated weights file")]
    [InlineData("length", 12L, "12 bytes of data for shape")]
    [InlineData("dtype", 99L, "unknown dtype 99")]
    public void A_header_number_out_of_range_is_refused_by_name(string field, long value, string expected)
    {
        using var temp = new TempDirectory();
        var spec = new ModelSpec(new SmallCnnOptions(Width: 2), 1, 3, 8, 8);
        using var model = ModelCatalog.Create(spec);
        ModelCheckpoint.Save(model, temp.File("w"));
        byte[] bytes = File.ReadAllBytes(temp.File("w"));
        // First entry: name "conv1.weight" (1-byte length prefix), dtype int32, rank int64, 4 dims int64, length int32.
        int dtype = 19 + 4 + 1 + "conv1.weight".Length, rank = dtype + 4, length = rank + 8 + 4 * 8;
        var span = bytes.AsSpan();
        switch (field)
        {
            case "rank": System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[rank..], value); break;
            case "length": System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[length..], (int)value); break;
            default: System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[dtype..], (int)value); break;
        }
        File.WriteAllBytes(temp.File("w"), bytes);
        using var target = ModelCatalog.Create(spec);
        var error = Assert.Throws<Antidote.Core.AntidoteException>(() => ModelCheckpoint.Load(target, temp.File("w")));
        Assert.Contains(expected, error.Message);
    }
}
