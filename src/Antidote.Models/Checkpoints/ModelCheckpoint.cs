using Antidote.Core;
using Antidote.Core.IO;
using static TorchSharp.torch;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// Moves a model's state dict to and from weight files. The format is found from the file's first bytes (Antidote's
/// own, safetensors, PyTorch's torch.save zip); whatever the format, loading checks names, shapes, dtypes and NaN/Inf
/// before touching the model, and names what does not fit. The usual wrappers are found: a "module." prefix
/// (DataParallel), a nested "state_dict" or "model" entry (training checkpoints), and a file without BatchNorm's
/// num_batches_tracked (older PyTorch), which keeps the model's own.
/// </summary>
public static class ModelCheckpoint
{
    public static IReadOnlyList<IWeightFormat> Formats { get; } = [new AntidoteWeightsFormat(), new SafetensorsFormat(), new PyTorchZipFormat()];

    public static void Save(nn.Module module, string path) => Save(module, path, Formats[0]);

    /// <param name="keyPrefix">Put before every key, as the file loaded had it (<see cref="CheckpointLayout.KeyPrefix"/>).</param>
    public static void Save(nn.Module module, string path, IWeightFormat format, string keyPrefix = "")
    {
        var tensors = new Dictionary<string, WeightTensor>();
        foreach (var (name, value) in module.state_dict())
        {
            using var cpu = value.detach().to(CPU).contiguous();
            tensors[keyPrefix + name] = new WeightTensor(cpu.dtype, cpu.shape, cpu.bytes.ToArray());
        }
        format.Write(path, tensors);
    }

    /// <summary>The format of an existing file, from its first bytes.</summary>
    public static IWeightFormat FormatOf(string path)
    {
        RegularFile.Check(path, "checkpoint");
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
               ?? throw new AntidoteException($"{path}: not an Antidote weights file (bad magic), safetensors, nor a PyTorch checkpoint");
    }

    /// <summary>Copies the file's weights into <paramref name="module"/> after checking that they fit; returns how the file
    /// laid them out, so that a cleaned model can be written back the same way.</summary>
    public static CheckpointLayout Load(nn.Module module, string path)
    {
        var format = FormatOf(path);
        return Load(module, format.Read(path), path, format);
    }

    /// <summary>Copies weights already read (<paramref name="file"/>, named <paramref name="path"/> in errors) into
    /// <paramref name="module"/> after the same checks.</summary>
    public static CheckpointLayout Load(nn.Module module, IReadOnlyDictionary<string, WeightTensor> file, string path, IWeightFormat format)
    {
        var state = module.state_dict();
        string prefix = KeyPrefix(file.Keys, state.Keys);
        // Beside a wrapper's state dict (prefix), a checkpoint may hold other tensors (an optimizer's): those are not the model's.
        var entries = file.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        // Names from the file are printed escaped and cut (a newline or a terminal escape in a name never reaches the terminal).
        var missing = state.Keys.Where(k => !entries.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Select(k => Printable.Escape(prefix + k)).ToList();
        var unexpected = entries.Keys.Where(k => !state.ContainsKey(k)).Select(k => Printable.Escape(prefix + k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, target) in state)
        {
            if (!entries.TryGetValue(key, out var entry)) continue;
            if (!entry.Shape.SequenceEqual(target.shape))
                mismatched.Add($"{Printable.Escape(prefix + key)} is [{string.Join(", ", entry.Shape)}] in the file, the model wants [{string.Join(", ", target.shape)}]");
            else if (entry.Type != target.dtype)
                mismatched.Add($"{Printable.Escape(prefix + key)} is {entry.Type} in the file, the model wants {target.dtype}");
        }
        static string First(string what, List<string> items) =>
            items.Count == 0 ? "" : $"{what} {string.Join(", ", items.Take(3))}{(items.Count > 3 ? $" (+{items.Count - 3} more)" : "")}";
        string problems = string.Join("; ", new[] { First("missing", missing), First("unexpected", unexpected), First("", mismatched).TrimStart() }.Where(p => p.Length > 0));
        if (problems.Length > 0)
            throw new AntidoteException($"{path} does not fit the model: {problems}");
        using var noGrad = no_grad();
        foreach (var (key, target) in state)
        {
            if (!entries.TryGetValue(key, out var entry)) continue; // num_batches_tracked absent from an older file

            using var source = empty(entry.Shape, entry.Type);
            source.bytes = entry.Data;
            if (source.is_floating_point() && !source.isfinite().all().item<bool>())
                throw new AntidoteException($"{path}: {key} contains NaN or infinite values");
            target.copy_(source);
        }
        return new CheckpointLayout(format, prefix);
    }

    /// <summary>
    /// What stands before the model's keys in the file: "" for a plain state dict, "module." for DataParallel, "state_dict/"
    /// or "model/" for a training checkpoint's nested entry, or a combination; the one under which most of the model's keys are found.
    /// </summary>
    public static string KeyPrefix(IEnumerable<string> fileKeys, IEnumerable<string> modelKeys)
    {
        var model = modelKeys.ToHashSet();
        // Only a suffix as long as some model key can be one: checking lengths first keeps this linear in the names'
        // length (a name of a million dots would otherwise copy and hash the rest of itself a million times).
        var lengths = model.Select(k => k.Length).ToHashSet();
        var counts = new Dictionary<string, int> { [""] = 0 };
        foreach (string key in fileKeys)
        {
            if (model.Contains(key)) counts[""]++;
            for (int dot = key.IndexOfAny(['.', '/']); dot >= 0 && dot < key.Length - 1; dot = key.IndexOfAny(['.', '/'], dot + 1))
                if (lengths.Contains(key.Length - dot - 1) && model.Contains(key[(dot + 1)..]))
                    counts[key[..(dot + 1)]] = counts.GetValueOrDefault(key[..(dot + 1)]) + 1;
        }
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Length).First().Key;
    }
}

/// <summary>How a checkpoint file held a model's weights: its format and the prefix before every key (see
/// <see cref="ModelCheckpoint.KeyPrefix"/>), so that a cleaned model is written back as the file was.</summary>
public sealed record CheckpointLayout(IWeightFormat Format, string KeyPrefix);
