using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Antidote.Core;
using Antidote.Core.IO;

namespace Antidote.Data.Npy;

/// <summary>
/// Reads NumPy's .npy format (a magic, a version, a Python-literal header with descr, fortran_order and shape, then the raw
/// array): how BackdoorBench ships precomputed triggers (LF's low-frequency patterns). Only what such files hold is taken:
/// little-endian or byte-wide unsigned bytes, float32 and float64, in C order. A file is untrusted: the header's size, the
/// shape's product and the data's length are each checked before anything is allocated from them.
/// </summary>
public static partial class NpyFile
{
    /// <summary>Largest header accepted (NumPy itself writes under 100 bytes for these).</summary>
    public const int MaxHeaderBytes = 65_536;

    /// <summary>Largest array accepted, in elements (an ImageNet-sized pattern is 150,528).</summary>
    public const long MaxElements = 100_000_000;

    /// <summary>An array's values as doubles (bytes as 0..255), its shape and its dtype.</summary>
    public sealed record NpyArray(long[] Shape, string Dtype, double[] Values);

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest uint8 array accepted by <see cref="ReadBytes"/> (a whole image set: CIFAR-10's 50,000 training images
    /// are 153,600,000 bytes); its bytes are read only once the file's length has been checked against its shape.</summary>
    public const long MaxBytes = 2_000_000_000;

    /// <summary>The array's values as doubles (bytes as 0..255) and its shape.</summary>
    public static NpyArray Read(string path)
    {
        var (dtype, shape, data, size) = ReadRaw(path, MaxElements, dtype => dtype switch
        {
            "|u1" or "<u1" => 1,
            "<f4" => 4,
            "<f8" => 8,
            _ => throw new AntidoteException($"{path}: .npy dtype '{Printable.Escape(dtype, 20)}' is not read (uint8, little-endian float32 or float64)"),
        });
        long elements = data.Length / size;
        var values = new double[elements];
        for (long i = 0; i < elements; i++)
            values[i] = size switch
            {
                1 => data[i],
                4 => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)(i * 4))),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan((int)(i * 8))),
            };
        return new NpyArray(shape, dtype, values);
    }

    /// <summary>A uint8 array's raw bytes, in C order, and its shape: image sets (BackdoorBench's SSBA and LC files) without
    /// the eightfold copy <see cref="Read"/> makes.</summary>
    public static (long[] Shape, byte[] Data) ReadBytes(string path)
    {
        var (_, shape, data, _) = ReadRaw(path, MaxBytes, dtype => dtype is "|u1" or "<u1"
            ? 1
            : throw new AntidoteException($"{path}: .npy dtype '{Printable.Escape(dtype, 20)}' is not read here (uint8 images, as BackdoorBench saves them)"));
        return (shape, data);
    }

    private static (string Dtype, long[] Shape, byte[] Data, int ElementSize) ReadRaw(string path, long maxElements, Func<string, int> elementSize)
    {
        RegularFile.Check(path, ".npy file");
        long length = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        var prefix = new byte[12];
        if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new AntidoteException($"{path}: not a .npy file (bad magic)");
        int major = prefix[6];
        int headerStart, headerLength;
        switch (major)
        {
            case 1:
                headerStart = 10;
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8));
                break;
            case 2 or 3:
                if (length < 12) throw new AntidoteException($"{path}: truncated .npy header");
                headerStart = 12;
                uint declared = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
                if (declared > MaxHeaderBytes) throw new AntidoteException($"{path}: .npy header of {declared} bytes refused (at most {MaxHeaderBytes})");
                headerLength = (int)declared;
                break;
            default:
                throw new AntidoteException($"{path}: .npy format version {major} is not one Antidote reads (1, 2 or 3)");
        }
        if (headerLength > MaxHeaderBytes || headerStart + headerLength > length)
            throw new AntidoteException($"{path}: truncated or oversized .npy header");
        var headerBytes = new byte[headerLength];
        stream.Position = headerStart;
        stream.ReadExactly(headerBytes);
        string header = Encoding.Latin1.GetString(headerBytes);

        string dtype = Field(DescrPattern(), header, "descr", path);
        if (Field(FortranPattern(), header, "fortran_order", path) != "False")
            throw new AntidoteException($"{path}: a Fortran-ordered .npy array is not read; save it in C order");
        long[] shape = Shape(Field(ShapePattern(), header, "shape", path), path);
        int size = elementSize(dtype);
        long elements = 1;
        foreach (long d in shape)
        {
            // Both factors are at most maxElements (≤ 2e9) before the product, so it cannot overflow a long.
            if (d > maxElements || (elements *= d) > maxElements) throw new AntidoteException($"{path}: .npy array of shape ({string.Join(", ", shape)}) is over {maxElements} elements; refused");
        }
        long dataStart = headerStart + headerLength;
        if (length - dataStart != elements * size)
            throw new AntidoteException($"{path}: .npy data holds {length - dataStart} bytes, shape ({string.Join(", ", shape)}) of {dtype} needs {elements * size} (truncated or corrupt)");
        var data = new byte[elements * size];
        stream.ReadExactly(data);
        return (dtype, shape, data, size);
    }

    private static string Field(Regex pattern, string header, string name, string path)
    {
        var match = pattern.Match(header);
        if (!match.Success) throw new AntidoteException($"{path}: the .npy header has no readable '{name}'");
        return match.Groups[1].Value;
    }

    private static long[] Shape(string text, string path)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 8) throw new AntidoteException($"{path}: .npy array of {parts.Length} dimensions refused");
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], out shape[i]) || shape[i] < 0)
                throw new AntidoteException($"{path}: the .npy shape ({Printable.Escape(text, 60)}) is not a tuple of sizes");
        return shape;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
