using System.IO.Compression;
using System.Text;

namespace Antidote.Tests.TestKit;

/// <summary>Hand-made pickles, opcode by opcode, and torch.save-style zips around them: the hostile files a real pickler
/// would never write (memo cycles, huge literals, views that overflow).</summary>
public sealed class PickleWriter
{
    private readonly MemoryStream _bytes = new();

    public PickleWriter() => Op(0x80, 2); // PROTO 2

    public PickleWriter Op(params byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public PickleWriter Text(char op, string line) => Op((byte)op).Op(Encoding.ASCII.GetBytes(line + "\n"));

    public PickleWriter Unicode(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Op((byte)'X').Op(BitConverter.GetBytes(utf8.Length));
        return Op(utf8);
    }

    public PickleWriter Int(long value) => value is >= 0 and < 256 ? Op((byte)'K', (byte)value) : Text('L', value + "L");

    public PickleWriter Global(string module, string name) => Text('c', module + "\n" + name);

    public PickleWriter Put(byte slot) => Op((byte)'q', slot);

    public PickleWriter Get(byte slot) => Op((byte)'h', slot);

    public PickleWriter Mark() => Op((byte)'(');

    public PickleWriter Tuple() => Op((byte)'t');

    /// <summary>_rebuild_tensor_v2(storage key, offset, size, stride, False, OrderedDict()) of a FloatStorage of <paramref name="elements"/>.</summary>
    public PickleWriter Tensor(string key, long elements, long offset, long[] size, long[] stride, string storage = "FloatStorage")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Unicode("storage").Global("torch", storage).Unicode(key).Unicode("cpu").Int(elements).Tuple().Op((byte)'Q');
        Int(offset);
        Mark(); foreach (long s in size) Int(s); Tuple();
        Mark(); foreach (long s in stride) Int(s); Tuple();
        Op(0x89); // NEWFALSE
        Global("collections", "OrderedDict").Op((byte)')', (byte)'R');
        return Tuple().Op((byte)'R');
    }

    public byte[] ToArray() => [.. _bytes.ToArray(), (byte)'.'];

    /// <summary>A zip laid out as torch.save writes one: archive/data.pkl and archive/data/KEY per storage.</summary>
    public static void WriteCheckpoint(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var archive = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        using (var stream = archive.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) stream.Write(pickle);
        foreach (var (key, data) in storages)
            using (var stream = archive.CreateEntry($"archive/data/{key}", level).Open()) stream.Write(data);
    }
}
