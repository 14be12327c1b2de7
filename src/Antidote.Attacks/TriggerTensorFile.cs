using Antidote.Core;
using Antidote.Models.Checkpoints;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>A computed trigger kept exactly (float32) in a run folder as a one-tensor safetensors file, so that a rebuilt
/// attack applies the very trigger the victim was trained on (a PNG would round it to 8 bits).</summary>
public static class TriggerTensorFile
{
    private const string Key = "trigger";

    public static void Write(string path, Tensor trigger)
    {
        using var cpu = trigger.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
        new SafetensorsFormat().Write(path, new Dictionary<string, WeightTensor> { [Key] = new(ScalarType.Float32, cpu.shape, cpu.bytes.ToArray()) });
    }

    /// <summary>The trigger of shape <paramref name="shape"/>; a missing file, another shape or a non-finite value is one clear error.</summary>
    public static Tensor Read(string path, long[] shape, string attack)
    {
        if (!File.Exists(path))
            throw new AntidoteException($"{path}: the {attack} run has no {Path.GetFileName(path)}");
        var file = new SafetensorsFormat().Read(path);
        if (!file.TryGetValue(Key, out var stored) || stored.Type != ScalarType.Float32 || !stored.Shape.SequenceEqual(shape))
            throw new AntidoteException($"{path}: not a {attack} trigger of shape [{string.Join(", ", shape)}] (float32 tensor '{Key}')");
        using var scope = NewDisposeScope();
        var trigger = empty(shape, ScalarType.Float32);
        trigger.bytes = stored.Data;
        if (!trigger.isfinite().all().item<bool>())
            throw new AntidoteException($"{path}: the {attack} trigger holds NaN or infinite values");
        return trigger.MoveToOuterDisposeScope();
    }
}
