using System.Security.Cryptography;
using System.Text;
using Antidote.Data;
using Antidote.Data.Batching;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// Where an attack keeps what it trained before poisoning (a clean model, an encoder) for the next run that asks for the same
/// thing: files in the preparation's cache folder named by a hash of the facts that made them and of the clean training
/// images and labels themselves, so other data, another seed or other settings never load a stale file.
/// </summary>
public static class AttackCache
{
    /// <summary>The cache file for <paramref name="facts"/> with <paramref name="suffix"/>, or null when the run keeps no cache.</summary>
    public static string? File(AttackPreparation context, string facts, string suffix) =>
        context.CacheFolder is null ? null : Path.Combine(context.CacheFolder, Key(context, facts) + suffix);

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
