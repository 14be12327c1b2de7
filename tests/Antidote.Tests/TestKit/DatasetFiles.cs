using System.Buffers.Binary;
using System.IO.Compression;

namespace Antidote.Tests.TestKit;

/// <summary>Writes small datasets in the real on-disk formats (IDX, CIFAR binary).</summary>
public static class DatasetFiles
{
    public static void WriteIdx(string path, byte[] data, params int[] dims)
    {
        using var memory = new MemoryStream();
        memory.Write([0, 0, 0x08, (byte)dims.Length]);
        Span<byte> word = stackalloc byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            memory.Write(word);
        }
        memory.Write(data);
        byte[] bytes = memory.ToArray();
        if (path.EndsWith(".gz"))
        {
            using var file = File.Create(path);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            gzip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    /// <summary>An MNIST-format folder (28×28, 4 quadrant classes) with the four gzip IDX files.</summary>
    public static void WriteMnistFolder(string directory, int train, int test)
    {
        Directory.CreateDirectory(directory);
        foreach (var (prefix, count, seed) in new[] { ("train", train, 1), ("t10k", test, 2) })
        {
            byte[] pixels = QuadrantImages.Pixels(count, 28, seed, out byte[] labels);
            WriteIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), pixels, count, 28, 28);
            WriteIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), labels, count);
        }
    }

    /// <summary>A CIFAR-10 binary folder: 5 training batches of 16 images (80 in all) and a test batch of 20, every class present.</summary>
    public static void WriteCifar10Folder(string directory)
    {
        Directory.CreateDirectory(directory);
        static byte Pixel(int n, int i) => (byte)((n * 37 + i * 11) % 256);
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(Path.Combine(directory, $"data_batch_{b}.bin"), CifarRecords(16, 1, n => (n + b) % 10, Pixel));
        File.WriteAllBytes(Path.Combine(directory, "test_batch.bin"), CifarRecords(20, 1, n => n % 10, Pixel));
    }

    /// <summary>CIFAR binary records: label byte(s) then 3072 pixel bytes (R plane, G plane, B plane).</summary>
    public static byte[] CifarRecords(int count, int labelBytes, Func<int, int> label, Func<int, int, byte> pixel)
    {
        int record = labelBytes + 3072;
        var bytes = new byte[count * record];
        for (int n = 0; n < count; n++)
        {
            for (int b = 0; b < labelBytes; b++) bytes[n * record + b] = (byte)label(n);
            for (int i = 0; i < 3072; i++) bytes[n * record + labelBytes + i] = pixel(n, i);
        }
        return bytes;
    }
}
