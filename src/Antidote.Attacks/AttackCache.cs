using System.Security.Cryptography;
using System.Text;
using Antidote.Core;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// Where an attack keeps what it trained before poisoning (a clean model, an encoder) for the next run that asks for the same
/// thing: files in the preparation's cache folder named by a hash of the facts that made them and of the clean training
/// images and labels themselves, so other data, another seed or other settings never load a stale file.
/// </summary>
public static class AttackCache
{
    /// <summary>The cache files for <paramref name="facts"/>, one per suffix under one key (the training set is hashed once), or
    /// null when the run keeps no cache.</summary>
    public static string[]? Files(AttackPreparation context, string facts, params string[] suffixes)
    {
        if (context.CacheFolder is null) return null;
        string key = Key(context, facts);
        return [.. suffixes.Select(suffix => Path.Combine(context.CacheFolder, key + suffix))];
    }

    /// <summary>Loads each module from its cache file: false when a file is missing, or (after one line) unreadable, and the
    /// caller trains instead; a module may then hold part of a file, so the caller starts from fresh ones.</summary>
    public static bool TryLoad(AttackPreparation context, string what, string[]? files, params nn.Module[] modules)
    {
        if (files is null || !files.All(System.IO.File.Exists)) return false;
        try
        {
            for (int i = 0; i < modules.Length; i++) ModelCheckpoint.Load(modules[i], files[i]);
            context.Log.Info($"{what} loaded from the cache ({files[0]})");
            return true;
        }
        catch (AntidoteException e)
        {
            context.Log.Info($"{what}: a cached file is unreadable ({e.Message}); training it again");
            return false;
        }
    }

    /// <summary>Writes each module to its cache file (nothing when the run keeps no cache).</summary>
    public static void Save(string[]? files, params nn.Module[] modules)
    {
        if (files is null) return;
        for (int i = 0; i < modules.Length; i++) ModelCheckpoint.Save(modules[i], files[i]);
    }

    /// <summary>The facts of a dataset that change what is trained on it.</summary>
    public static string Describe(DatasetInfo info) =>
        $"{info.Name}|{info.Channels}x{info.Height}x{info.Width}|{info.Classes}|{string.Join(",", info.Mean)}|{string.Join(",", info.Std)}|" +
        $"{info.CropPadding}|{info.HorizontalFlip}|";

    /// <summary>SHA-256 (first 24 hex digits) of <paramref name="facts"/> and the clean training set. The facts name everything
    /// else that made the file, the seed included.</summary>
    public static string Key(AttackPreparation context, string facts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(facts));
        var data = context.CleanTrain;
        foreach (long[] batch in IndexBatches.InOrder(data.Count, 4096))
        {
            using var scope = NewDisposeScope();
            var rows = tensor(batch, device: data.Images.device);
            hash.AppendData(data.Images.index_select(0, rows).to(CPU).contiguous().bytes);
            hash.AppendData(data.Labels.index_select(0, rows).to(CPU).contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }
}
