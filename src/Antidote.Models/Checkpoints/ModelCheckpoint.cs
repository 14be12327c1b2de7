using Antidote.Core;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// Moves a model's state dict to and from weight files. The format is found from the file's first bytes (Antidote's
/// own, safetensors); whatever the format, loading checks names, shapes, dtypes and NaN/Inf before touching the
/// model, and names what does not fit.
/// </summary>
public static class ModelCheckpoint
{
    public static IReadOnlyList<IWeightFormat> Formats { get; } = [new AntidoteWeightsFormat(), new SafetensorsFormat()];

    public static void Save(nn.Module module, string path) => Save(module, path, Formats[0]);

    public static void Save(nn.Module module, string path, IWeightFormat format)
    {
        var tensors = new Dictionary<string, WeightTensor>();
        foreach (var (name, value) in module.state_dict())
        {
            using var cpu = value.detach().to(CPU).contiguous();
            tensors[name] = new WeightTensor(cpu.dtype, cpu.shape, cpu.bytes.ToArray());
        }
        format.Write(path, tensors);
    }

    /// <summary>The format of an existing file, from its first bytes.</summary>
    public static IWeightFormat FormatOf(string path)
    {
        if (!File.Exists(path))
            throw new AntidoteException($"checkpoint {path} not found");
        var head = new byte[16];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw new AntidoteException($"{path}: cannot read ({e.Message})", e);
        }
        return Formats.FirstOrDefault(f => f.Recognises(head.AsSpan(0, read)))
               ?? throw new AntidoteException($"{path}: not an Antidote weights file (bad magic) nor safetensors");
    }

    /// <summary>Copies the file's weights into <paramref name="module"/> after checking that they fit.</summary>
    public static void Load(nn.Module module, string path)
    {
        var entries = FormatOf(path).Read(path);
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
}
