using System.Text;
using Antidote.Core;
using Antidote.Core.IO;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// Antidote's weight file: a magic line, then (name, dtype, shape, little-endian data) for every entry of the
/// state dict. Loading checks names, shapes and NaN/Inf before touching the model, and names what does not fit.
/// </summary>
public static class ModelCheckpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ANTIDOTE-WEIGHTS-1\n");

    private sealed record Entry(ScalarType Type, long[] Shape, byte[] Data);

    public static void Save(nn.Module module, string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            var state = module.state_dict();
            writer.Write(state.Count);
            foreach (var (name, value) in state)
            {
                using var cpu = value.detach().to(CPU).contiguous();
                writer.Write(name);
                writer.Write((int)cpu.dtype);
                writer.Write(cpu.dim());
                foreach (long d in cpu.shape) writer.Write(d);
                byte[] bytes = cpu.bytes.ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        });
    }

    /// <summary>Copies the file's weights into <paramref name="module"/> after checking that they fit.</summary>
    public static void Load(nn.Module module, string path)
    {
        var entries = Read(path);
        var state = module.state_dict();
        var problems = new List<string>();
        foreach (string key in state.Keys.Where(k => !entries.ContainsKey(k)))
            problems.Add($"missing {key}");
        foreach (string key in entries.Keys.Where(k => !state.ContainsKey(k)))
            problems.Add($"unexpected {key}");
        foreach (var (key, target) in state)
        {
            if (!entries.TryGetValue(key, out var entry)) continue;
            if (!entry.Shape.SequenceEqual(target.shape))
                problems.Add($"{key} is [{string.Join(", ", entry.Shape)}] in the file, the model wants [{string.Join(", ", target.shape)}]");
            else if (entry.Type != target.dtype)
                problems.Add($"{key} is {entry.Type} in the file, the model wants {target.dtype}");
        }
        if (problems.Count > 0)
            throw new AntidoteException($"{path} does not fit the model: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $" (+{problems.Count - 5} more)" : "")}");
        using var noGrad = no_grad();
        foreach (var (key, target) in state)
        {
            var entry = entries[key];
            using var source = empty(entry.Shape, entry.Type);
            source.bytes = entry.Data;
            if (source.is_floating_point() && !source.isfinite().all().item<bool>())
                throw new AntidoteException($"{path}: {key} contains NaN or infinite values");
            target.copy_(source);
        }
    }

    /// <summary>Largest tensor rank a file may declare (the models use 4).</summary>
    public const int MaxRank = 8;

    private static Dictionary<string, Entry> Read(string path)
    {
        if (!File.Exists(path))
            throw new AntidoteException($"checkpoint {path} not found");
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            long Remaining() => stream.Length - stream.Position;
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new AntidoteException($"{path}: not an Antidote weights file (bad magic)");
            int count = reader.ReadInt32();
            // Every entry takes at least a name byte, dtype, rank and length: a count the file cannot hold is damage.
            if (count < 0 || count > Remaining() / 17)
                throw new AntidoteException($"{path}: truncated weights file or damaged header (declares {count} entries in {stream.Length} bytes)");
            var entries = new Dictionary<string, Entry>();
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                int typeCode = reader.ReadInt32();
                var type = (ScalarType)typeCode;
                if (!Enum.IsDefined(type) || ElementSize(type) is not int elementSize)
                    throw new AntidoteException($"{path}: damaged weights file ({name}: unknown dtype {typeCode})");
                long rank = reader.ReadInt64();
                if (rank < 0 || rank > MaxRank)
                    throw new AntidoteException($"{path}: damaged weights file ({name}: rank {rank})");
                long[] shape = new long[rank];
                long elements = 1;
                for (int d = 0; d < shape.Length; d++)
                {
                    shape[d] = reader.ReadInt64();
                    if (shape[d] < 0 || (shape[d] > 0 && elements > Remaining() / shape[d]))
                        throw new AntidoteException($"{path}: damaged weights file ({name}: shape [{string.Join(", ", shape[..(d + 1)])}] is larger than the file)");
                    elements *= shape[d];
                }
                int length = reader.ReadInt32();
                if (length < 0 || length > Remaining())
                    throw new EndOfStreamException();
                if (length != elements * elementSize)
                    throw new AntidoteException($"{path}: damaged weights file ({name}: {length} bytes of data for shape [{string.Join(", ", shape)}] of {type})");
                byte[] data = reader.ReadBytes(length);
                if (data.Length != length)
                    throw new EndOfStreamException();
                if (!entries.TryAdd(name, new Entry(type, shape, data)))
                    throw new AntidoteException($"{path}: damaged weights file ({name} appears twice)");
            }
            return entries;
        }
        catch (EndOfStreamException)
        {
            throw new AntidoteException($"{path}: truncated weights file");
        }
        catch (FormatException e)
        {
            throw new AntidoteException($"{path}: damaged weights file ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
        }
    }

    /// <summary>Bytes per element of the dtypes a state dict holds; null for the rest.</summary>
    private static int? ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 => 1,
        _ => null,
    };
}
