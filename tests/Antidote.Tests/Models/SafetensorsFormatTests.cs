using Antidote.Models.SmallCnn;
using System.Buffers.Binary;
using System.Text;
using Antidote.Core;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Antidote.Tests.Models;

public class SafetensorsFormatTests(ITestOutputHelper output)
{
    private static readonly ModelSpec Spec = new(new SmallCnnOptions(Width: 2), 1, 3, 8, 8);

    /// <summary>A safetensors file written by hand (header length, JSON, data), as another tool would write it.</summary>
    private static byte[] File(string json, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    [Fact]
    public void A_model_round_trips_through_safetensors_exactly_and_the_format_is_found_from_the_file()
    {
        using var temp = new TempDirectory();
        using var model = ModelCatalog.Create(Spec);
        ModelCheckpoint.Save(model, temp.File("m.safetensors"), new SafetensorsFormat());
        Assert.Equal("safetensors", ModelCheckpoint.FormatOf(temp.File("m.safetensors")).Name);
        using var loaded = ModelCatalog.Create(Spec with { });
        ModelCheckpoint.Load(loaded, temp.File("m.safetensors"));
        foreach (var (name, value) in model.state_dict())
            Assert.True(value.eq(loaded.state_dict()[name]).all().item<bool>(), name);
        // The data starts 8-byte aligned after a space-padded header.
        ulong header = BinaryPrimitives.ReadUInt64LittleEndian(System.IO.File.ReadAllBytes(temp.File("m.safetensors")));
        Assert.Equal(0ul, header % 8);
    }

    [Fact]
    public void A_hand_written_file_is_read_with_its_dtypes_shapes_and_bytes()
    {
        using var temp = new TempDirectory();
        byte[] data = new byte[6 * 4 + 2];
        BitConverter.GetBytes(1.5f).CopyTo(data, 0);
        data[24] = 7;
        System.IO.File.WriteAllBytes(temp.File("t"), File(
            "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[24,26]},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", data));
        var tensors = new SafetensorsFormat().Read(temp.File("t"));
        Assert.Equal(ScalarType.Float32, tensors["a"].Type);
        Assert.Equal([2L, 3L], tensors["a"].Shape);
        Assert.Equal(1.5f, BitConverter.ToSingle(tensors["a"].Data));
        Assert.Equal([7, 0], tensors["b"].Data);
    }

    [Theory]
    [InlineData("huge header length", "header length")]
    [InlineData("offsets past the end", "outside the")]
    [InlineData("overlapping offsets", "overlaps")]
    [InlineData("unknown dtype", "unknown dtype C64")]
    [InlineData("length not matching the shape", "bytes of data for shape [2, 3]")]
    [InlineData("not JSON", "header is not JSON")]
    [InlineData("truncated", "header length")]
    public void A_damaged_file_is_refused_with_one_line_naming_the_problem(string damage, string expected)
    {
        using var temp = new TempDirectory();
        byte[] data = new byte[24];
        byte[] bytes = damage switch
        {
            "offsets past the end" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,240]}}", data),
            "overlapping offsets" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,20]}}", data),
            "unknown dtype" => File("{\"a\":{\"dtype\":\"C64\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", data),
            "length not matching the shape" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", data),
            "not JSON" => File("{\"a\":[1,", data),
            _ => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", data),
        };
        if (damage == "huge header length") BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1ul << 40);
        if (damage == "truncated") bytes = bytes[..20];
        System.IO.File.WriteAllBytes(temp.File("t"), bytes);
        var error = Assert.Throws<AntidoteException>(() => new SafetensorsFormat().Read(temp.File("t")));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Damaged_safetensors_files_load_or_are_refused_with_one_clear_error()
    {
        using var temp = new TempDirectory();
        using var model = ModelCatalog.Create(Spec);
        ModelCheckpoint.Save(model, temp.File("valid"), new SafetensorsFormat());
        using var target = ModelCatalog.Create(Spec);
        // Header field: the length word; the JSON's numbers are hit by the bit flips.
        var fuzzer = new FileFuzzer(System.IO.File.ReadAllBytes(temp.File("valid")), [0, 4, 8, 40, 80], bigEndian: false, seed: 5);
        var report = fuzzer.Run(3000, temp.File("case"), path => ModelCheckpoint.Load(target, path));
        output.WriteLine($"safetensors: {report}");
        Assert.True(report.Refused > report.Cases / 2, report.ToString());
    }
}
