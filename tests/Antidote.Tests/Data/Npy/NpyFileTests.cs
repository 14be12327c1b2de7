using Antidote.Core;
using Antidote.Data.Npy;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Data.Npy;

public class NpyFileTests
{
    [Fact]
    public void Reads_uint8_and_float32_arrays_in_c_order()
    {
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("u8.npy"), NpyWriter.Bytes("|u1", [2, 3], [0, 1, 2, 3, 4, 51]));
        var bytes = NpyFile.Read(folder.File("u8.npy"));
        Assert.Equal(new long[] { 2, 3 }, bytes.Shape);
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 51 }, bytes.Values);
        File.WriteAllBytes(folder.File("f4.npy"), NpyWriter.Floats([3], [0.5f, -1f, 0.125f]));
        var floats = NpyFile.Read(folder.File("f4.npy"));
        Assert.Equal(new long[] { 3 }, floats.Shape);
        Assert.Equal(new double[] { 0.5, -1, 0.125 }, floats.Values);
    }

    [Theory]
    [InlineData("magic", "bad magic")]
    [InlineData("truncated", "truncated or corrupt")]
    [InlineData("huge", "refused")]
    [InlineData("wrapping", "refused")]
    [InlineData("fortran", "Fortran")]
    [InlineData("dtype", "dtype '<i8'")]
    [InlineData("shape", "not a tuple of sizes")]
    public void A_hostile_or_foreign_file_is_one_clear_error(string kind, string message)
    {
        using var folder = new TempDirectory();
        byte[] bytes = kind switch
        {
            "magic" => "not numpy at all"u8.ToArray(),
            "truncated" => NpyWriter.Bytes("|u1", [4, 4], new byte[10]),
            "huge" => NpyWriter.Bytes("|u1", [100000, 100000, 100000], new byte[4]),
            // 4 × 2^62 wraps a long to 0, which an empty data section would match.
            "wrapping" => NpyWriter.Bytes("|u1", [4, 4611686018427387904], []),
            "fortran" => NpyWriter.Bytes("|u1", [2], [1, 2], "{'descr': '|u1', 'fortran_order': True, 'shape': (2,), }"),
            "dtype" => NpyWriter.Bytes("<i8", [1], new byte[8]),
            _ => NpyWriter.Bytes("|u1", [1], [1], "{'descr': '|u1', 'fortran_order': False, 'shape': (-3,), }"),
        };
        File.WriteAllBytes(folder.File("x.npy"), bytes);
        var error = Assert.Throws<AntidoteException>(() => NpyFile.Read(folder.File("x.npy")));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused_cleanly()
    {
        using var folder = new TempDirectory();
        byte[] valid = NpyWriter.Floats([2, 2], [1, 2, 3, 4]);
        for (int length = 0; length < valid.Length; length++)
        {
            File.WriteAllBytes(folder.File("t.npy"), valid[..length]);
            Assert.Throws<AntidoteException>(() => NpyFile.Read(folder.File("t.npy")));
        }
    }

    [Fact]
    public void Image_sets_are_read_as_their_raw_bytes_and_only_as_uint8()
    {
        using var folder = new TempDirectory();
        byte[] pixels = Enumerable.Range(0, 2 * 3 * 2 * 1).Select(i => (byte)(i * 20)).ToArray();
        File.WriteAllBytes(folder.File("images.npy"), NpyWriter.Bytes("|u1", [2, 3, 2, 1], pixels));
        var (shape, data) = NpyFile.ReadBytes(folder.File("images.npy"));
        Assert.Equal(new long[] { 2, 3, 2, 1 }, shape);
        Assert.Equal(pixels, data);

        File.WriteAllBytes(folder.File("floats.npy"), NpyWriter.Floats([2], [0.5f, 1f]));
        var error = Assert.Throws<AntidoteException>(() => NpyFile.ReadBytes(folder.File("floats.npy")));
        Assert.Contains("uint8", error.Message);
        File.WriteAllBytes(folder.File("short.npy"), NpyWriter.Bytes("|u1", [2, 3, 2, 1], pixels[..7]));
        Assert.Contains("truncated", Assert.Throws<AntidoteException>(() => NpyFile.ReadBytes(folder.File("short.npy"))).Message);
    }
}
