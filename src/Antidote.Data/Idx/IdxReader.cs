using System.Buffers.Binary;
using System.IO.Compression;
using Antidote.Core;
using Antidote.Core.IO;

namespace Antidote.Data.Idx;

/// <summary>
/// Reads IDX files (the MNIST family's format: a 4-byte magic 0,0,type,ndim, big-endian dimensions, then data),
/// gzip-compressed or raw. Only unsigned bytes (type 0x08) are used by these datasets.
/// </summary>
public static class IdxReader
{
    public sealed record IdxArray(int[] Dimensions, byte[] Data);

    /// <summary>Finds "name" or "name.gz" in the folder.</summary>
    public static string? Find(string directory, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static IdxArray Read(string path, int expectedRank)
    {
        byte[] bytes = ReadAllBytes(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
            throw new AntidoteException($"{path}: not an IDX file of unsigned bytes (bad magic)");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new AntidoteException($"{path}: IDX file has {rank} dimensions, expected {expectedRank}");
        if (bytes.Length < 4 + 4 * rank)
            throw new AntidoteException($"{path}: truncated IDX header");
        var dims = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new AntidoteException($"{path}: negative IDX dimension");
            size *= dims[i];
            // Checked as it grows: three dimensions near 2^31 would overflow the product.
            if (size > bytes.Length)
                throw new AntidoteException($"{path}: IDX dimensions [{string.Join("x", dims[..(i + 1)])}] need more bytes than the file's {bytes.Length} (truncated or corrupt)");
        }
        int offset = 4 + 4 * rank;
        if (bytes.Length - offset != size)
            throw new AntidoteException(
                $"{path}: IDX data holds {bytes.Length - offset} bytes, dimensions [{string.Join("x", dims)}] need {size} (truncated or corrupt)");
        return new IdxArray(dims, bytes[offset..]);
    }

    private static byte[] ReadAllBytes(string path)
    {
        RegularFile.Check(path, "IDX file");
        try
        {
            if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                return File.ReadAllBytes(path);
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            // IDX images deflate 2-10×; more than 64× the file (plus 64 MiB) is a gzip bomb, not a dataset.
            long limit = 64 * file.Length + (64L << 20);
            var buffer = new byte[1 << 16];
            for (int read; (read = gzip.Read(buffer)) > 0;)
            {
                if (memory.Length + read > limit)
                    throw new AntidoteException($"{path}: inflates past {limit >> 20} MiB (64 times the file plus 64 MiB); refused");
                memory.Write(buffer, 0, read);
            }
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new AntidoteException($"{path}: corrupt gzip data ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
        }
    }
}
