using Antidote.Data.Cifar;
using Antidote.Data.Idx;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Antidote.Tests.Data;

public class ReaderFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Damaged_IDX_files_load_or_are_refused_with_one_clear_error()
    {
        using var temp = new TempDirectory();
        byte[] pixels = QuadrantImages.Pixels(6, 28, seed: 1, out _);
        DatasetFiles.WriteIdx(temp.File("valid"), pixels, 6, 28, 28);
        // Header fields: the three big-endian dimensions after the 4-byte magic.
        var fuzzer = new FileFuzzer(File.ReadAllBytes(temp.File("valid")), [0, 4, 8, 12], bigEndian: true, seed: 1);
        var report = fuzzer.Run(3000, temp.File("case"), path => IdxReader.Read(path, expectedRank: 3));
        output.WriteLine($"IDX: {report}");
        Assert.True(report.Refused > report.Cases / 2, report.ToString());
    }

    [Fact]
    public void Damaged_CIFAR_files_load_or_are_refused_with_one_clear_error()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("valid"), DatasetFiles.CifarRecords(3, labelBytes: 1, n => n, (n, i) => (byte)(n + i)));
        var fuzzer = new FileFuzzer(File.ReadAllBytes(temp.File("valid")), [0, 3073, 6146], bigEndian: false, seed: 2);
        var report = fuzzer.Run(1500, temp.File("case"), path =>
        {
            using var data = CifarBinaryReader.Read([path], labelBytes: 1, labelOffset: 0, classes: 10);
        });
        output.WriteLine($"CIFAR: {report}");
        Assert.True(report.Refused > 0 && report.Loaded > 0, report.ToString());
    }

    [Fact]
    public void Damaged_PNG_files_load_or_are_refused_with_one_clear_error()
    {
        using var temp = new TempDirectory();
        ImageFile.WritePng(temp.File("valid"), rand(3, 9, 7));
        // Header fields: IHDR's length, width and height (big-endian, after the 8-byte signature and chunk header).
        var fuzzer = new FileFuzzer(File.ReadAllBytes(temp.File("valid")), [8, 16, 20, 33], bigEndian: true, seed: 3);
        // Deflate expands at most about 1032:1: that much per byte is what a PNG can justify.
        var report = fuzzer.Run(3000, temp.File("case"), path => ImageFile.Read(path).Dispose(), allowedExpansion: 1100);
        output.WriteLine($"PNG: {report}");
        Assert.True(report.Refused > report.Cases / 2, report.ToString());
    }
}
