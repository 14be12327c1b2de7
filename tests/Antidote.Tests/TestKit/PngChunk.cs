namespace Antidote.Tests.TestKit;

/// <summary>PNG's chunk checksum (CRC-32 over the chunk type and data), for tests that forge a valid header.</summary>
public static class PngChunk
{
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
