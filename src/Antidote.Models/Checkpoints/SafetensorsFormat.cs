using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Antidote.Core;
using Antidote.Core.IO;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// safetensors (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
/// {dtype, shape, data_offsets: [begin, end]} relative to the data that follows (plus an optional "__metadata__" map of
/// strings), then the raw little-endian data. The file is untrusted: the header length, the JSON, every dtype, shape and
/// offset are checked against the file's size before any tensor is allocated; offsets must lie inside the data, must not
/// overlap, and must span exactly shape × element size bytes.
/// </summary>
public sealed class SafetensorsFormat : IWeightFormat
{
    /// <summary>Largest header accepted (the reference implementation's limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, ScalarType> Types = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Name => "safetensors";

    // A header length that fits the first bytes, then the JSON's opening brace (the writer pads with spaces, never before it).
    public bool Recognises(ReadOnlySpan<byte> head) =>
        head.Length >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(head) is > 1 and <= MaxHeaderBytes && head[8] == (byte)'{';

    public IReadOnlyDictionary<string, WeightTensor> Read(string path)
    {
        RegularFile.Check(path, "checkpoint");
        try
        {
            using var stream = File.OpenRead(path);
            return Read(stream, path);
        }
        catch (IOException e)
        {
            throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
        }
    }

    private static IReadOnlyDictionary<string, WeightTensor> Read(FileStream stream, string path)
    {
        AntidoteException Damaged(string why) => new($"{path}: damaged safetensors file ({why})");
        long size = stream.Length;
        if (size < 8) throw Damaged($"{size} bytes, shorter than the 8-byte header length");
        Span<byte> word = stackalloc byte[8];
        stream.ReadExactly(word);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(word);
        if (declared < 2 || declared > MaxHeaderBytes || (long)declared > size - 8)
            throw Damaged($"header length {declared} in a {size}-byte file");
        var header = new byte[declared];
        stream.ReadExactly(header);
        long dataSize = size - 8 - (long)declared;

        JsonDocument json;
        try { _ = StrictUtf8.GetCharCount(header); }
        catch (DecoderFallbackException) { throw Damaged("header is not UTF-8"); }
        try { json = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Damaged($"header is not JSON: {e.Message}"); }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw Damaged("header is not a JSON object");
            var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Damaged($"{property.Name} appears twice");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object || property.Value.EnumerateObject().Any(m => m.Value.ValueKind != JsonValueKind.String))
                        throw Damaged("__metadata__ is not a map of strings");
                    continue;
                }
                entries.Add(Entry(property, dataSize, Damaged));
            }
            // Offsets must tile the data without overlapping (the format also asks for no gaps; gaps are tolerated).
            entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            for (int i = 1; i < entries.Count; i++)
                if (entries[i].Begin < entries[i - 1].End)
                    throw Damaged($"{entries[i].Name} overlaps {entries[i - 1].Name}");
            var tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
            long dataStart = 8 + (long)declared;
            foreach (var e in entries)
            {
                var data = new byte[e.End - e.Begin];
                stream.Position = dataStart + e.Begin;
                stream.ReadExactly(data);
                tensors[e.Name] = new WeightTensor(e.Type, e.Shape, data);
            }
            return tensors;
        }
    }

    private static (string Name, ScalarType Type, long[] Shape, long Begin, long End) Entry(JsonProperty property, long dataSize, Func<string, AntidoteException> damaged)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw damaged($"{name}: needs dtype, shape and two data_offsets");
        if (!Types.TryGetValue(dtype.GetString()!, out var type))
            throw damaged($"{name}: unknown dtype {dtype.GetString()}");
        if (shape.GetArrayLength() > AntidoteWeightsFormat.MaxRank)
            throw damaged($"{name}: rank {shape.GetArrayLength()}");
        long elementSize = WeightTensor.ElementSize(type)!.Value;
        var dims = new long[shape.GetArrayLength()];
        long bytes = elementSize;
        for (int d = 0; d < dims.Length; d++)
        {
            if (shape[d].ValueKind != JsonValueKind.Number || !shape[d].TryGetInt64(out dims[d]) || dims[d] < 0)
                throw damaged($"{name}: shape entry {shape[d]} is not a size");
            if (dims[d] > 0 && bytes > dataSize / dims[d] + 1)
                throw damaged($"{name}: shape [{string.Join(", ", dims[..(d + 1)])}] is larger than the file");
            bytes *= dims[d];
        }
        long begin = -1, end = -1;
        if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out begin) || !offsets[1].TryGetInt64(out end) || begin < 0 || end < begin || end > dataSize)
            throw damaged($"{name}: data_offsets [{offsets[0]}, {offsets[1]}] outside the {dataSize} bytes of data");
        if (end - begin != bytes)
            throw damaged($"{name}: {end - begin} bytes of data for shape [{string.Join(", ", dims)}] of {dtype.GetString()}");
        return (name, type, dims, begin, end);
    }

    public void Write(string path, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        var names = Types.ToDictionary(kv => kv.Value, kv => kv.Key);
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!names.TryGetValue(tensor.Type, out string? dtype))
                throw new AntidoteException($"{path}: safetensors has no dtype for {name} ({tensor.Type})");
            header[name] = new Dictionary<string, object> { ["dtype"] = dtype, ["shape"] = tensor.Shape, ["data_offsets"] = new[] { offset, offset + tensor.Data.Length } };
            offset += tensor.Data.Length;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)padded);
            stream.Write(word);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                stream.Write(tensor.Data);
        });
    }
}
