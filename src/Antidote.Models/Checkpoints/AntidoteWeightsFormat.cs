using System.Text;
using Antidote.Core;
using Antidote.Core.IO;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// Antidote's own weight file: a magic line, an entry count, then (name, dtype code, rank, shape, byte length, data)
/// for every entry, little-endian.
/// </summary>
public sealed class AntidoteWeightsFormat : IWeightFormat
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ANTIDOTE-WEIGHTS-1\n");

    public string Name => "antidote";

    public bool Recognises(ReadOnlySpan<byte> head) => head.StartsWith(Magic.AsSpan(0, Math.Min(Magic.Length, head.Length))) && head.Length > 0;

    public void Write(string path, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(tensors.Count);
            foreach (var (name, tensor) in tensors)
            {
                writer.Write(name);
                writer.Write((int)tensor.Type);
                writer.Write((long)tensor.Shape.Length);
                foreach (long d in tensor.Shape) writer.Write(d);
                writer.Write(tensor.Data.Length);
                writer.Write(tensor.Data);
            }
        });
    }

    /// <summary>Largest tensor rank a file may declare (the models use 4).</summary>
    public const int MaxRank = 8;

    public IReadOnlyDictionary<string, WeightTensor> Read(string path)
    {
        RegularFile.Check(path, "checkpoint");
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
            var entries = new Dictionary<string, WeightTensor>();
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                int typeCode = reader.ReadInt32();
                var type = (ScalarType)typeCode;
                if (!Enum.IsDefined(type) || WeightTensor.ElementSize(type) is not int elementSize)
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
                if (!entries.TryAdd(name, new WeightTensor(type, shape, data)))
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
}
