using System.Buffers.Binary;
using System.IO.Compression;
using Antidote.Core;
using static TorchSharp.torch;

namespace Antidote.Data.Images;

/// <summary>
/// Reads and writes 8-bit PNG images (grayscale, gray+alpha, RGB, RGBA; not interlaced; alpha dropped), the
/// format of trigger images. Pixels come back as a float tensor [C, H, W] in [0, 1].
/// </summary>
public static class PngImage
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Largest side accepted (a trigger image is small; this bounds what a header can ask for).</summary>
    public const int MaxSide = 16384;

    private const long MaxDeflateRatio = 1032;

    public static Tensor Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new AntidoteException($"{path}: cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new AntidoteException($"{path}: cannot read ({e.Message})", e); }
        try { return Decode(bytes); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new AntidoteException($"{path}: not a readable PNG ({e.Message})", e);
        }
    }

    public static Tensor Decode(byte[] bytes)
    {
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
            throw new InvalidDataException("bad signature");
        int width = 0, height = 0, colorType = 0;
        using var idat = new MemoryStream();
        for (int pos = 8; pos + 8 <= bytes.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (length < 0 || pos + 12 + length > bytes.Length) throw new InvalidDataException("truncated chunk");
            var data = bytes.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                int bitDepth = data[8];
                colorType = data[9];
                if (bitDepth != 8) throw new InvalidDataException($"bit depth {bitDepth} (only 8 is supported)");
                if (data[12] != 0) throw new InvalidDataException("interlaced PNG is not supported");
                if (colorType is not (0 or 2 or 4 or 6)) throw new InvalidDataException($"colour type {colorType} (palette PNGs are not supported)");
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        if (width <= 0 || height <= 0) throw new InvalidDataException("missing IHDR");
        int channels = colorType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        // Header numbers are checked before anything is allocated: deflate cannot expand more than about 1032:1, so
        // a header claiming more pixels than its compressed data could hold is a damaged (or hostile) file.
        long rawLength = (long)height * ((long)width * channels + 1);
        if (width > MaxSide || height > MaxSide || rawLength > MaxDeflateRatio * idat.Length + 1024)
            throw new InvalidDataException($"header claims {width}x{height} pixels, more than its {idat.Length} bytes of image data can hold");
        int stride = width * channels;
        var raw = new byte[rawLength];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            int read = 0, n;
            while (read < raw.Length && (n = z.Read(raw, read, raw.Length - read)) > 0) read += n;
            if (read != raw.Length) throw new InvalidDataException("image data is truncated");
        }
        var pixels = Unfilter(raw, height, stride, channels);
        int kept = channels is 2 or 4 ? channels - 1 : channels;
        var chw = new float[kept * height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < kept; c++)
                    chw[(c * height + y) * width + x] = pixels[y * stride + x * channels + c] / 255f;
        return tensor(chw, [kept, height, width]);
    }

    /// <summary>Writes a [C, H, W] tensor in [0, 1] (C = 1 or 3) as an 8-bit PNG, atomically.</summary>
    public static void Write(string path, Tensor image)
    {
        int c = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2];
        if (c is not (1 or 3)) throw new ArgumentException("PNG export needs 1 or 3 channels");
        float[] values = image.to(CPU).contiguous().data<float>().ToArray();
        var raw = new byte[h * (w * c + 1)];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                    raw[y * (w * c + 1) + 1 + x * c + k] = (byte)Math.Clamp(MathF.Round(values[(k * h + y) * w + x] * 255f), 0, 255);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, w);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), h);
        header[8] = 8;
        header[9] = (byte)(c == 1 ? 0 : 2);
        Core.IO.AtomicFile.Write(path, s =>
        {
            s.Write(Signature);
            WriteChunk(s, "IHDR", header);
            WriteChunk(s, "IDAT", compressed.ToArray());
            WriteChunk(s, "IEND", []);
        });
    }

    private static byte[] Unfilter(byte[] raw, int height, int stride, int bpp)
    {
        var output = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            int src = y * (stride + 1) + 1, dst = y * stride;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? output[dst + i - bpp] : 0;
                int b = y > 0 ? output[dst - stride + i] : 0;
                int cc = y > 0 && i >= bpp ? output[dst - stride + i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, cc),
                    _ => throw new InvalidDataException($"unknown filter {filter}"),
                };
                output[dst + i] = (byte)(raw[src + i] + predictor);
            }
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeBytes, data));
        s.Write(word);
    }

    private static uint Crc32(byte[] type, byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte[] part in new[] { type, data })
            foreach (byte b in part)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        return ~crc;
    }
}
