using System.Buffers.Binary;
using Antidote.Core;

namespace Antidote.Tests.TestKit;

/// <summary>
/// Seeded mutations of a valid file (bit flips, truncations, appended bytes, 4-byte header fields set to 0, −1, the
/// maximum or a value past the end) fed to a reader. Each case must either load or throw <see cref="AntidoteException"/>,
/// and may not allocate more managed memory than the file can justify.
/// </summary>
public sealed class FileFuzzer(byte[] valid, IReadOnlyList<int> headerFields, bool bigEndian, int seed)
{
    /// <summary>What the reader did with the cases.</summary>
    public sealed record Report(int Cases, int Loaded, int Refused)
    {
        public override string ToString() => $"{Cases} cases: {Loaded} loaded, {Refused} refused with the project's error";
    }

    public IEnumerable<(string Label, byte[] Bytes)> Cases(int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var bytes = (byte[])valid.Clone();
            switch (i % 5)
            {
                case 0:
                    int flips = 1 + random.Next(4);
                    for (int f = 0; f < flips; f++)
                    {
                        int at = headerFields.Count > 0 && random.Next(2) == 0
                            ? Math.Min(bytes.Length - 1, headerFields[random.Next(headerFields.Count)] + random.Next(4)) : random.Next(bytes.Length);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }
                    yield return ($"case {i}: {flips} bit flips", bytes);
                    break;
                case 1:
                    int keep = random.Next(bytes.Length);
                    yield return ($"case {i}: truncated to {keep} bytes", bytes[..keep]);
                    break;
                case 2:
                    var extra = new byte[1 + random.Next(64)];
                    random.NextBytes(extra);
                    yield return ($"case {i}: {extra.Length} bytes appended", [.. bytes, .. extra]);
                    break;
                default:
                    if (headerFields.Count == 0) goto case 0;
                    int field = headerFields[random.Next(headerFields.Count)];
                    int value = random.Next(5) switch
                    {
                        0 => 0, 1 => -1, 2 => int.MaxValue, 3 => bytes.Length + random.Next(1, 1 << 20), _ => random.Next(),
                    };
                    if (field + 4 > bytes.Length) goto case 0;
                    if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(field), value);
                    else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(field), value);
                    yield return ($"case {i}: field at byte {field} set to {value}", bytes);
                    break;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> on every case written to <paramref name="path"/>.</summary>
    /// <param name="allowedExpansion">Managed bytes a case may allocate per byte of file (a decompressor's ratio).</param>
    public Report Run(int count, string path, Action<string> read, long allowedExpansion = 16)
    {
        int loaded = 0, refused = 0;
        foreach (var (label, bytes) in Cases(count))
        {
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(path);
                loaded++;
            }
            catch (AntidoteException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{label}: {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= allowedExpansion * bytes.Length + (4 << 20), $"{label}: allocated {allocated} bytes for a {bytes.Length}-byte file");
        }
        return new Report(count, loaded, refused);
    }
}
