using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>One state-dict entry as a file holds it: dtype, shape and little-endian bytes (shape × element size of them).</summary>
public sealed record WeightTensor(ScalarType Type, long[] Shape, byte[] Data)
{
    /// <summary>Bytes per element of the dtypes a state dict holds; null for the rest.</summary>
    public static int? ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 => 1,
        _ => null,
    };
}
