using System.Text;

namespace Antidote.Tests.TestKit;

/// <summary>Writes .npy files as NumPy 1.x does (version 1.0, header padded with spaces to a multiple of 64 bytes).</summary>
public static class NpyWriter
{
    public static byte[] Bytes(string descr, long[] shape, byte[] data, string? header = null)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        header ??= $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = 10 + header.Length + 1;
        header = header + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] Floats(long[] shape, float[] values) =>
        Bytes("<f4", shape, values.SelectMany(BitConverter.GetBytes).ToArray());
}
