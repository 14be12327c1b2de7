using Antidote.Core;
using Antidote.Core.Runtime;
using Antidote.Data;

namespace Antidote.Defenses;

/// <summary>
/// The defender's clean subset split by a seeded shuffle into rows a method learns from and rows it holds out to decide on
/// (D3's constraint, a pruning threshold): decisions that BackdoorBench takes on the test set are taken here, on clean data
/// the method did not fit.
/// </summary>
public sealed class CleanHoldout : IDisposable
{
    private CleanHoldout(ImageDataset learn, ImageDataset held)
    {
        Learn = learn;
        Held = held;
    }

    /// <summary>Rows the method trains or fits on.</summary>
    public ImageDataset Learn { get; }

    /// <summary>Rows only measured, to decide.</summary>
    public ImageDataset Held { get; }

    /// <param name="purpose">Names the seeded stream, so each method's split is its own and stable.</param>
    public static CleanHoldout Split(ImageDataset clean, double fraction, long seed, string purpose, string method)
    {
        int count = clean.Count, held = (int)Math.Round(fraction * count);
        if (held < 1 || held >= count)
            throw new AntidoteException($"{method}: holding out {fraction} of {count} clean samples leaves no rows on one side");
        var rows = Seeds.ShuffledRows(count, seed, purpose);
        return new CleanHoldout(clean.Subset(rows[held..]), clean.Subset(rows[..held]));
    }

    public void Dispose()
    {
        Learn.Dispose();
        Held.Dispose();
    }
}
