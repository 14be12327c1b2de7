using System.Collections;
using System.IO.Compression;
using System.Text;
using Antidote.Core;
using Antidote.Core.IO;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// PyTorch's torch.save format (PyTorch ≥ 1.6, .pt/.pth/.bin): a zip archive holding <c>{name}/data.pkl</c>, a pickle of the
/// state dict in which each tensor's storage is a persistent id naming a zip entry <c>{name}/data/{key}</c> of raw
/// little-endian bytes. The pickle is read with Razorvine.Pickle (the library TorchSharp.PyBridge builds on; PyBridge's own
/// reader is internal, loads only into a module by exact names, and reads each entry with one Stream.Read). The file is
/// untrusted: the archive's sizes are bounded before anything is read, the pickle may only rebuild tensors and ordered dicts
/// (any other class becomes inert data, never code), and every tensor's shape, stride and offset must lie inside its
/// storage entry. Nested dicts (a checkpoint's "state_dict" or "model" entry) come out with '/' between the levels
/// ("state_dict/conv1.weight"), and a key with '/' is written back nested; <see cref="ModelCheckpoint"/> finds the prefix.
/// Written files load with torch.load.
/// </summary>
public sealed class PyTorchZipFormat : IWeightFormat
{
    /// <summary>Largest data.pkl accepted (a state dict's pickle is kilobytes to a few megabytes).</summary>
    public const long MaxPickleBytes = 256L << 20;

    /// <summary>Most zip entries accepted (one per tensor storage, plus a few).</summary>
    public const int MaxEntries = 1_000_000;

    /// <summary>Bytes the storages may inflate to: torch.save stores them uncompressed, so a real checkpoint's storages are at
    /// most its size; 16× the file (plus 64 MiB) leaves room for a re-zipped one and refuses a zip bomb or entries that overlap.</summary>
    public static long MaxStorageBytes(long fileBytes) => 16 * fileBytes + (64L << 20);

    /// <summary>Bytes the tensors may take once materialised: twice the storages read (tied weights share a storage), plus 16 MiB
    /// (so that views of a storage, each copied here, cannot multiply it).</summary>
    public static long MaxTensorBytes(long storageBytes) => 2 * storageBytes + (16L << 20);

    private static readonly Dictionary<string, ScalarType> Storages = new()
    {
        ["DoubleStorage"] = ScalarType.Float64, ["FloatStorage"] = ScalarType.Float32, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte, ["BoolStorage"] = ScalarType.Bool,
    };

    static PyTorchZipFormat()
    {
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", new TensorConstructor());
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", new TensorConstructor());
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", new ParameterConstructor());
        Unpickler.registerConstructor("collections", "OrderedDict", new OrderedDictConstructor());
        NumpyConstructors.Register();
        Pickler.registerCustomPickler(typeof(StorageType), new StorageTypePickler());
        Pickler.registerCustomDeconstructor(typeof(TensorToWrite), new TensorDeconstructor());
        Pickler.registerCustomDeconstructor(typeof(OrderedDictToWrite), new OrderedDictDeconstructor());
    }

    public string Name => "pytorch";

    // A zip file's local header; torch.save has written zip archives since PyTorch 1.6.
    public bool Recognises(ReadOnlySpan<byte> head) => head.Length >= 4 && head[0] == 0x50 && head[1] == 0x4b && head[2] == 0x03 && head[3] == 0x04;

    public IReadOnlyDictionary<string, WeightTensor> Read(string path)
    {
        var tensors = Document(path, documentBytesPerOpcode: 0).Tensors;
        if (tensors.Count == 0)
            throw new AntidoteException($"{path}: the PyTorch checkpoint holds no tensors (save the model's state_dict(), not the model)");
        return tensors;
    }

    /// <summary>
    /// A torch.save file of more than a state dict (BackdoorBench's attack_result.pt): its pickle as plain data (dicts as
    /// <see cref="IDictionary"/>, lists, tuples as object[], strings, numbers, bools, null, <see cref="NumpyArray"/>) and
    /// every tensor under its path through the dicts ("model/conv1.weight"). The opcode budget grows with the pickle's size
    /// (one opcode per 4 bytes beyond the state dict's allowance), so a large record is read and a small hostile one is not
    /// worked on for long.
    /// </summary>
    public static PickledDocument ReadDocument(string path) => Document(path, documentBytesPerOpcode: 4);

    private static PickledDocument Document(string path, int documentBytesPerOpcode) =>
        WithArchive(path, (archive, fileBytes) =>
        {
            var (root, storageBytes) = Unpickle(archive, path, fileBytes, documentBytesPerOpcode);
            var tensors = new Flattened(path, MaxTensorBytes(storageBytes));
            tensors.Add(root, "", depth: 0);
            return new PickledDocument(root, tensors.Tensors);
        });

    private static T WithArchive<T>(string path, Func<ZipArchive, long, T> read)
    {
        RegularFile.Check(path, "checkpoint");
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new AntidoteException($"{path}: not a PyTorch checkpoint (not a readable zip archive: {e.Message})", e);
        }
        using (archive)
        {
            try
            {
                return read(archive, new FileInfo(path).Length);
            }
            catch (InvalidDataException e)
            {
                throw new AntidoteException($"{path}: damaged PyTorch checkpoint ({e.Message})", e);
            }
            catch (IOException e)
            {
                throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
            }
        }
    }

    /// <summary>The pickle's root object (tensors as <see cref="StoredTensor"/> records) and the storage bytes read.</summary>
    private static (object Root, long StorageBytes) Unpickle(ZipArchive archive, string path, long fileBytes, int documentBytesPerOpcode)
    {
        if (archive.Entries.Count > MaxEntries)
            throw new AntidoteException($"{path}: damaged PyTorch checkpoint ({archive.Entries.Count} zip entries)");
        var pickle = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (pickle.Count != 1)
            throw new AntidoteException($"{path}: not a PyTorch checkpoint (no single <name>/data.pkl; a file saved with torch.save of PyTorch >= 1.6 has one)");
        string prefix = pickle[0].FullName[..^"data.pkl".Length];
        if (pickle[0].Length > MaxPickleBytes)
            throw new AntidoteException($"{path}: damaged PyTorch checkpoint (data.pkl declares {pickle[0].Length} bytes)");
        byte[] pickled = ReadEntry(pickle[0], pickle[0].Length, path);
        var entries = archive.Entries.Where(e => e.FullName.StartsWith(prefix + "data/", StringComparison.Ordinal))
            .GroupBy(e => e.FullName[(prefix.Length + 5)..]).ToDictionary(g => g.Key, g => g.First());
        PickleBudget.Check(pickled, PickleBudget.MaxOpcodes(entries.Count) + (documentBytesPerOpcode > 0 ? pickled.Length / documentBytesPerOpcode : 0), path);

        object root;
        long storageBytes;
        try
        {
            using var unpickler = new StorageUnpickler(entries, path, MaxStorageBytes(fileBytes));
            root = unpickler.loads(pickled);
            storageBytes = unpickler.BytesRead;
        }
        catch (AntidoteException)
        {
            throw;
        }
        catch (Exception e) when (e is PickleException or InvalidCastException or InvalidOperationException or ArgumentException
                                      or IndexOutOfRangeException or OverflowException or KeyNotFoundException or NullReferenceException or NotSupportedException
                                      or InvalidDataException or EndOfStreamException or FormatException or InsufficientExecutionStackException)
        {
            throw new AntidoteException($"{path}: damaged or unsupported PyTorch checkpoint (its pickle: {e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
        return (root, storageBytes);
    }

    /// <summary>
    /// The tensors under their paths through nested dicts. The pickle's memo can make any graph of dicts, shared and cyclic:
    /// each dict is walked once (the first path that reaches it names its tensors), each tensor record is materialised once,
    /// and the bytes materialised are bounded, so work and memory stay proportional to the file.
    /// </summary>
    private sealed class Flattened(string path, long maxBytes)
    {
        private readonly HashSet<object> _walked = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<StoredTensor, WeightTensor> _materialised = new(ReferenceEqualityComparer.Instance);
        private long _bytes;

        public Dictionary<string, WeightTensor> Tensors { get; } = [];

        public void Add(object? node, string prefix, int depth)
        {
            if (depth > 8) return;
            switch (node)
            {
                case StoredTensor tensor when prefix.Length > 0:
                    if (!_materialised.TryGetValue(tensor, out var weights))
                    {
                        weights = tensor.Materialise(path, maxBytes - _bytes);
                        _bytes += weights.Data.Length;
                        _materialised[tensor] = weights;
                    }
                    if (!Tensors.TryAdd(prefix[..^1], weights))
                        throw new AntidoteException($"{path}: {Printable.Quote(prefix[..^1])} appears twice");
                    break;
                case IDictionary dictionary when _walked.Add(dictionary):
                    if (dictionary is PickledOrderedDict { Duplicate: { } twice })
                        throw new AntidoteException($"{path}: the key {Printable.Quote(twice.ToString() ?? "")} is set twice in one dict; refused " +
                                                    "(which value a reader keeps differs between readers)");
                    foreach (DictionaryEntry entry in dictionary)
                        if (entry.Key is string key)
                            Add(entry.Value, prefix + key + (entry.Value is IDictionary ? "/" : "."), depth + 1);
                    break;
            }
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long length, string path)
    {
        var bytes = new byte[length];
        using var stream = entry.Open();
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read != length || stream.ReadByte() != -1)
            throw new AntidoteException($"{path}: damaged PyTorch checkpoint ({entry.FullName} is not the {length} bytes it declares)");
        return bytes;
    }

    /// <summary>Writes the tensors as torch.save writes a state dict (an OrderedDict, one stored entry per tensor), atomically.</summary>
    public void Write(string path, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        AtomicFile.Write(path, stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            const string root = "archive";
            var state = new OrderedDictToWrite();
            int key = 0;
            foreach (var (name, tensor) in tensors)
            {
                string storageKey = (key++).ToString();
                var entry = archive.CreateEntry($"{root}/data/{storageKey}", CompressionLevel.NoCompression);
                using (var data = entry.Open()) data.Write(tensor.Data);
                // "state_dict/conv1.weight" goes into a nested dict "state_dict", as the file it came from had it.
                var into = state;
                string[] levels = name.Split('/');
                foreach (string level in levels[..^1])
                {
                    if (into.Items.FirstOrDefault(i => i.Name == level).Value is not OrderedDictToWrite nested)
                        into.Items.Add((level, nested = new OrderedDictToWrite()));
                    into = nested;
                }
                into.Items.Add((levels[^1], new TensorToWrite(tensor, storageKey)));
            }
            using (var pickle = archive.CreateEntry($"{root}/data.pkl", CompressionLevel.NoCompression).Open())
            using (var pickler = new StoragePickler())
                pickler.dump(state, pickle);
            using (var version = archive.CreateEntry($"{root}/version", CompressionLevel.NoCompression).Open())
                version.Write("3\n"u8);
        });
    }

    /// <summary>A tensor as the pickle describes it: its storage's bytes and dtype, offset, shape and stride (in elements).</summary>
    private sealed record StoredTensor(Storage Storage, long Offset, long[] Shape, long[] Stride)
    {
        /// <summary>The tensor's bytes, refused (one line) when its record does not fit its storage or needs more than
        /// <paramref name="budget"/> bytes.</summary>
        public WeightTensor Materialise(string path, long budget)
        {
            int size = WeightTensor.ElementSize(Storage.Type)!.Value;
            long elements = 1, extent = 0;
            try
            {
                for (int d = 0; d < Shape.Length; d++)
                {
                    if (Shape[d] < 0 || Stride[d] < 0)
                        throw new AntidoteException($"{path}: damaged PyTorch checkpoint (negative shape or stride)");
                    elements = checked(elements * Shape[d]);
                    if (Shape[d] > 0) extent = checked(extent + (Shape[d] - 1) * Stride[d]);
                }
                // An empty tensor's offset is checked too: it must still lie inside (or at the end of) its storage.
                if (Offset < 0 || Offset > Storage.Elements || (elements > 0 && checked(Offset + extent + 1) > Storage.Elements))
                    throw new AntidoteException($"{path}: damaged PyTorch checkpoint (a tensor of shape [{string.Join(", ", Shape)}] at offset {Offset} reaches past its storage of {Storage.Elements} elements)");
                if (checked(elements * size) > budget)
                    throw new AntidoteException($"{path}: its tensors would take more than {MaxTensorBytes(0) >> 20} MiB plus twice the storages' bytes " +
                                                "(views of one storage copied many times); refused");
            }
            catch (OverflowException)
            {
                throw new AntidoteException($"{path}: damaged PyTorch checkpoint (a tensor's shape [{string.Join(", ", Shape)}] and stride [{string.Join(", ", Stride)}] overflow)");
            }
            var data = new byte[elements * size];
            if (IsContiguous())
                Storage.Data.AsSpan(checked((int)(Offset * size)), data.Length).CopyTo(data);
            else if (elements > 0)
            {
                using var scope = NewDisposeScope();
                var all = empty([Storage.Elements], Storage.Type);
                all.bytes = Storage.Data;
                data = all.as_strided(Shape, Stride, Offset).contiguous().bytes.ToArray();
            }
            return new WeightTensor(Storage.Type, Shape, data);
        }

        private bool IsContiguous()
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>A storage entry's bytes and dtype.</summary>
    private sealed record Storage(ScalarType Type, long Elements, byte[] Data);

    /// <summary>Resolves the pickle's persistent ids ("storage", type, key, location, elements) to the archive's entries.</summary>
    private sealed class StorageUnpickler(Dictionary<string, ZipArchiveEntry> entries, string path, long maxBytes) : Unpickler
    {
        private readonly Dictionary<string, Storage> _loaded = [];

        /// <summary>The storages' bytes read so far.</summary>
        public long BytesRead { get; private set; }

        protected override object persistentLoad(object pid)
        {
            if (pid is not object[] { Length: 5 } id || id[0] is not "storage" || id[1] is not ClassDictConstructor type || id[2] is not string key)
                throw new AntidoteException($"{path}: damaged PyTorch checkpoint (a storage reference is not (\"storage\", type, key, location, size))");
            if (_loaded.TryGetValue(key, out var seen)) return seen;
            if (!Storages.TryGetValue(type.name, out var dtype))
                throw new AntidoteException($"{path}: unsupported tensor storage {Printable.Quote(type.module + "." + type.name)}");
            long elements = Convert.ToInt64(id[4]);
            long bytes = elements < 0 || elements > Array.MaxLength ? -1 : elements * WeightTensor.ElementSize(dtype)!.Value;
            if (!entries.TryGetValue(key, out var entry))
                throw new AntidoteException($"{path}: damaged PyTorch checkpoint (storage {Printable.Quote(key)} has no data entry)");
            if (bytes < 0 || bytes != entry.Length || bytes > Array.MaxLength)
                throw new AntidoteException($"{path}: damaged PyTorch checkpoint (storage {Printable.Quote(key)}: {elements} elements of {dtype} in an entry of {entry.Length} bytes)");
            if (BytesRead + bytes > maxBytes)
                throw new AntidoteException($"{path}: its storages inflate past {maxBytes >> 20} MiB (16 times the file plus 64 MiB; torch.save stores them uncompressed); refused");
            BytesRead += bytes;
            var storage = new Storage(dtype, elements, ReadEntry(entry, bytes, path));
            _loaded[key] = storage;
            return storage;
        }
    }

    /// <summary>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]).</summary>
    private sealed class TensorConstructor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not Storage storage || args[2] is not object[] size || args[3] is not object[] stride || size.Length != stride.Length || size.Length > 8)
                throw new InvalidDataException("a tensor record is not (storage, offset, size, stride, ...)");
            return new StoredTensor(storage, Convert.ToInt64(args[1]), size.Select(Convert.ToInt64).ToArray(), stride.Select(Convert.ToInt64).ToArray());
        }
    }

    /// <summary>torch._utils._rebuild_parameter(data, requires_grad, hooks): a Parameter is its data here.</summary>
    private sealed class ParameterConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length >= 1 && args[0] is StoredTensor tensor ? tensor : throw new InvalidDataException("a parameter record holds no tensor");
    }

    /// <summary>collections.OrderedDict([(key, value), ...]) or OrderedDict() filled by the pickle's SETITEMS; the attributes
    /// torch.save attaches (_metadata) are ignored.</summary>
    private sealed class OrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            var dictionary = new PickledOrderedDict();
            if (args.Length > 0 && args[0] is IEnumerable items and not string)
                foreach (var item in items)
                    if (item is object[] { Length: 2 } pair)
                        dictionary[pair[0]] = pair[1];
            return dictionary;
        }
    }

    private sealed class PickledOrderedDict : Hashtable
    {
        /// <summary>A key the pickle set twice. The unpickler applies one SETITEMS batch from its last pair to its first, so
        /// "last wins" (PyTorch) cannot be promised: such a file is refused instead.</summary>
        public object? Duplicate { get; private set; }

        public override object? this[object key]
        {
            get => base[key];
            set
            {
                if (ContainsKey(key)) Duplicate ??= key;
                base[key] = value;
            }
        }

        public override void Add(object key, object? value)
        {
            if (ContainsKey(key)) Duplicate ??= key;
            base[key] = value;
        }

        // Called by the pickle's BUILD with the object's attributes (state_dict()._metadata); nothing to keep.
        public void __setstate__(Hashtable state) { }
    }

    /// <summary>Writes "storage" persistent ids for tensors, as torch.save does.</summary>
    private sealed class StoragePickler() : Pickler(useMemo: false)
    {
        protected override bool persistentId(object pid, out object newpid)
        {
            if (pid is StorageToWrite storage)
            {
                newpid = new object[] { "storage", new StorageType(storage.TypeName), storage.Key, "cpu", storage.Elements };
                return true;
            }
            newpid = null!;
            return false;
        }
    }

    private sealed record StorageToWrite(string TypeName, string Key, long Elements);

    private sealed record StorageType(string Name);

    private sealed class OrderedDictToWrite
    {
        public List<(string Name, object Value)> Items { get; } = [];
    }

    private sealed record TensorToWrite(WeightTensor Tensor, string Key);

    /// <summary>GLOBAL torch.FloatStorage (the storage class torch.load maps to a dtype).</summary>
    private sealed class StorageTypePickler : IObjectPickler
    {
        public void pickle(object o, Stream outs, Pickler currentPickler)
        {
            outs.WriteByte(Opcodes.GLOBAL);
            outs.Write(Encoding.ASCII.GetBytes($"torch\n{((StorageType)o).Name}\n"));
        }
    }

    /// <summary>_rebuild_tensor_v2(storage, 0, shape, contiguous stride, False, OrderedDict()).</summary>
    private sealed class TensorDeconstructor : IObjectDeconstructor
    {
        public string get_module() => "torch._utils";

        public string get_name() => "_rebuild_tensor_v2";

        public object[] deconstruct(object obj)
        {
            var (tensor, key) = (TensorToWrite)obj;
            string storage = Storages.First(kv => kv.Value == tensor.Type).Key;
            long elements = tensor.Shape.Aggregate(1L, (a, b) => a * b);
            var stride = new long[tensor.Shape.Length];
            long step = 1;
            for (int d = stride.Length - 1; d >= 0; d--)
            {
                stride[d] = step;
                step *= tensor.Shape[d];
            }
            return [new StorageToWrite(storage, key, elements), 0, tensor.Shape.Cast<object>().ToArray(), stride.Cast<object>().ToArray(), false, new OrderedDictToWrite()];
        }
    }

    /// <summary>collections.OrderedDict([(name, tensor), ...]).</summary>
    private sealed class OrderedDictDeconstructor : IObjectDeconstructor
    {
        public string get_module() => "collections";

        public string get_name() => "OrderedDict";

        public object[] deconstruct(object obj) =>
            [((OrderedDictToWrite)obj).Items.Select(item => (object)new object[] { item.Name, item.Value }).ToList()];
    }
}

/// <summary>A torch.save file read as data (<see cref="PyTorchZipFormat.ReadDocument"/>): the pickle's root and its tensors by path.</summary>
public sealed record PickledDocument(object Root, IReadOnlyDictionary<string, WeightTensor> Tensors);
