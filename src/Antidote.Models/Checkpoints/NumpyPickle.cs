using System.Text;
using Razorvine.Pickle;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// A numpy array as a pickle holds it (numpy's <c>ndarray.__reduce__</c>: <c>_reconstruct(ndarray, (0,), b'b')</c>, then
/// BUILD with (version, shape, dtype, fortran order, raw bytes)). Only plain numeric dtypes are kept; an object array or
/// any other dtype stays unread (<see cref="Kind"/> is then '\0'). Nothing here runs code from the file.
/// </summary>
public sealed class NumpyArray
{
    /// <summary>Largest array accepted from a pickle (its bytes are in the pickle, which is itself bounded).</summary>
    public const long MaxElements = 1L << 28;

    public long[] Shape { get; private set; } = [];

    /// <summary>numpy's kind: 'i' signed, 'u' unsigned, 'f' float, 'b' bool; '\0' when unsupported.</summary>
    public char Kind { get; private set; }

    public int ItemSize { get; private set; }

    public bool FortranOrder { get; private set; }

    public byte[] Data { get; private set; } = [];

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    // BUILD's state: (version, shape, dtype, is_fortran, rawdata) or, from older numpy, without the version.
    public void __setstate__(object[] state)
    {
        int at = state.Length == 5 ? 1 : 0;
        if (state.Length - at != 4 || state[at] is not object[] shape || state[at + 1] is not NumpyDtype dtype)
            throw new InvalidDataException("a numpy array's state is not (version, shape, dtype, fortran, data)");
        Shape = shape.Select(Convert.ToInt64).ToArray();
        if (Shape.Any(d => d < 0) || Shape.Aggregate(1.0, (a, b) => a * b) > MaxElements)
            throw new InvalidDataException($"a numpy array of shape ({string.Join(", ", Shape)}) is refused");
        FortranOrder = state[at + 2] is true;
        Kind = dtype.Kind;
        ItemSize = dtype.ItemSize;
        if (Kind == '\0') return;
        if (!dtype.LittleEndian && ItemSize > 1)
            throw new InvalidDataException("a big-endian numpy array is not supported");
        Data = state[at + 3] switch
        {
            byte[] bytes => bytes,
            // Protocol 2 from Python 2 keeps the raw data as a str of code points 0-255.
            string text => Encoding.Latin1.GetBytes(text),
            _ => throw new InvalidDataException("a numpy array's data is not bytes"),
        };
        if (Data.LongLength != Count * ItemSize)
            throw new InvalidDataException($"a numpy array of shape ({string.Join(", ", Shape)}) holds {Data.LongLength} bytes, not {Count * ItemSize}");
    }

    /// <summary>The elements as 64-bit integers (integer, bool or whole float arrays), in C order for a 1-D array.</summary>
    public long[] ToInt64()
    {
        if (Shape.Length > 1 && FortranOrder)
            throw new InvalidDataException("a Fortran-ordered numpy array is not supported here");
        var values = new long[Count];
        for (long i = 0; i < values.LongLength; i++)
        {
            var bytes = Data.AsSpan((int)(i * ItemSize), ItemSize);
            values[i] = (Kind, ItemSize) switch
            {
                ('i', 1) => (sbyte)bytes[0],
                ('i', 2) => BitConverter.ToInt16(bytes),
                ('i', 4) => BitConverter.ToInt32(bytes),
                ('i', 8) => BitConverter.ToInt64(bytes),
                ('u' or 'b', 1) => bytes[0],
                ('u', 2) => BitConverter.ToUInt16(bytes),
                ('u', 4) => BitConverter.ToUInt32(bytes),
                ('f', 4) => WholeNumber(BitConverter.ToSingle(bytes)),
                ('f', 8) => WholeNumber(BitConverter.ToDouble(bytes)),
                _ => throw new InvalidDataException($"a numpy array of kind '{Kind}' and {ItemSize} bytes cannot be read as integers"),
            };
        }
        return values;
    }

    private static long WholeNumber(double value) =>
        double.IsFinite(value) && Math.Floor(value) == value && Math.Abs(value) < 1e15
            ? (long)value
            : throw new InvalidDataException($"a numpy float array holds {value}, not a whole number");
}

/// <summary>numpy.dtype('i8', False, True), then BUILD with (version, byte order, ...): its kind, size and byte order.</summary>
public sealed class NumpyDtype
{
    public NumpyDtype(string code)
    {
        // "i8", "f4", "u1", "b1", "?"; anything else (objects, strings, records) is kept as unsupported.
        if (code == "?") (Kind, ItemSize) = ('b', 1);
        else if (code.Length >= 2 && "iufb".Contains(code[0]) && int.TryParse(code.AsSpan(1), out int size) && size is 1 or 2 or 4 or 8)
            (Kind, ItemSize) = (code[0], size);
    }

    public char Kind { get; }

    public int ItemSize { get; }

    public bool LittleEndian { get; private set; } = BitConverter.IsLittleEndian;

    public void __setstate__(object[] state)
    {
        if (state.Length >= 2 && state[1] is string order)
            LittleEndian = order switch { "<" => true, ">" => false, _ => BitConverter.IsLittleEndian };
    }

    /// <summary>A numpy scalar of this dtype from its raw bytes (numpy.core.multiarray.scalar(dtype, bytes)).</summary>
    public object Scalar(byte[] bytes)
    {
        if (Kind == '\0' || bytes.Length != ItemSize || (!LittleEndian && ItemSize > 1))
            throw new InvalidDataException("an unsupported numpy scalar");
        var array = new NumpyArray();
        array.__setstate__([1, new object[] { 1 }, this, false, bytes]);
        // Boxed one by one: a conditional would widen the integer to double.
        if (Kind != 'f') return array.ToInt64()[0];
        return ItemSize == 4 ? (double)BitConverter.ToSingle(bytes) : BitConverter.ToDouble(bytes);
    }
}

/// <summary>The constructors numpy's pickles call, registered with the unpickler beside PyTorch's.</summary>
internal static class NumpyConstructors
{
    public static void Register()
    {
        foreach (string module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Unpickler.registerConstructor(module, "_reconstruct", new ArrayConstructor());
            Unpickler.registerConstructor(module, "scalar", new ScalarConstructor());
        }
        Unpickler.registerConstructor("numpy", "dtype", new DtypeConstructor());
    }

    private sealed class ArrayConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new NumpyArray();
    }

    private sealed class DtypeConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length >= 1 && args[0] is string code ? new NumpyDtype(code) : throw new InvalidDataException("numpy.dtype without a type code");
    }

    private sealed class ScalarConstructor : IObjectConstructor
    {
        public object construct(object[] args) => args switch
        {
            [NumpyDtype dtype, byte[] bytes] => dtype.Scalar(bytes),
            [NumpyDtype dtype, string text] => dtype.Scalar(Encoding.Latin1.GetBytes(text)),
            _ => throw new InvalidDataException("numpy scalar is not (dtype, bytes)"),
        };
    }
}
