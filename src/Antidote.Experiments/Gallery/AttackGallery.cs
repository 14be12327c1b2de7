using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Experiments.Runs;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Experiments.Gallery;

/// <summary>What `antidote show-attack` draws: an attack run's own trigger (<paramref name="Run"/>), or a fresh attack made from
/// its options and the seed.</summary>
public sealed record GallerySettings(
    string? Run,
    IAttackOptions? Attack,
    AttackSettings Settings,
    IModelOptions Model,
    string Dataset,
    string? DataDirectory,
    int Images,
    long Seed,
    string Output);

/// <summary>What the gallery shows: the test rows drawn and the gain applied to the residual column.</summary>
public sealed record GallerySummary(string Attack, int[] Rows, double ResidualGain, double MaxResidual);

/// <summary>
/// `antidote show-attack`: a PNG grid with one test image per row (the first attackable image of successive classes) and three
/// columns: the clean image, the poisoned image, and |poisoned − clean| magnified so that its largest value is white.
/// </summary>
public static class AttackGallery
{
    private const int Separator = 2;

    /// <summary>Cells are scaled up (nearest neighbour) until their larger side is at least this many pixels.</summary>
    private const int MinCellSide = 96;

    public static GallerySummary Write(GallerySettings settings, IRunLog log)
    {
        using var scope = NewDisposeScope();
        var run = settings.Run is null ? null : AttackRun.Open(settings.Run);
        using var data = run?.LoadData(settings.DataDirectory)
                         ?? DatasetCatalog.Load(DatasetCatalog.Default.Get(settings.Dataset), settings.DataDirectory);
        using var attack = run is not null ? run.CreateAttack(data.Info) : Fresh(settings, data, log);
        int[] rows = Pick(data.Test.LabelArray, attack.Labels, settings.Images);
        using var shown = data.Test.Subset(rows.Select(r => (long)r).ToArray());
        var clean = shown.Images;
        var poisoned = attack.Poison(clean, PoisonRole.Poisoned, DataSplit.Test, rows);
        var residual = (poisoned - clean).abs();
        double max = residual.max().item<float>();
        double gain = max > 0 ? 1 / max : 1;
        var grid = Compose([clean, poisoned, (residual * (float)gain).clamp(0, 1)]);
        ImageFile.WritePng(settings.Output, grid);
        log.Info($"show-attack {attack.Name}: {rows.Length} test images (rows {string.Join(", ", rows)}); columns clean | poisoned | " +
                 $"|poisoned - clean| x{gain:F1} (largest change {max * 255:F1}/255) -> {settings.Output}");
        return new GallerySummary(attack.Name, rows, gain, max);
    }

    private static IAttack Fresh(GallerySettings settings, DatasetSplit data, IRunLog log)
    {
        var options = settings.Attack ?? throw new AntidoteException("show-attack needs an attack name or --run");
        var attack = AttackCatalog.Default.Get(AttackCatalog.NameOf(options)).Create(new AttackRequest(data.Info, settings.Settings, options));
        try
        {
            // A fresh one would show a trigger that never trained (after the costly part of its preparation).
            if (attack.TriggerLearnsWithVictim)
                throw new AntidoteException($"{attack.Name}'s trigger trains together with the victim: show one a run planted with --run DIR");
            var spec = new ModelSpec(settings.Model, data.Info.Channels, data.Info.Classes, data.Info.Height, data.Info.Width);
            using var pipeline = DataPipeline.For(data.Info, CPU);
            attack.Prepare(new AttackPreparation(data.Train, () => ModelCatalog.Create(spec), pipeline, settings.Seed, log));
            return attack;
        }
        catch
        {
            attack.Dispose();
            throw;
        }
    }

    /// <summary>The first test image of each class in turn whose label the attack changes, up to <paramref name="count"/>
    /// (fewer when the test set has fewer such classes; then further images of the same classes).</summary>
    public static int[] Pick(int[] labels, LabelPolicy policy, int count)
    {
        var chosen = new List<int>();
        var seen = new HashSet<int>();
        for (int pass = 0; pass < 2 && chosen.Count < count; pass++)
            for (int i = 0; i < labels.Length && chosen.Count < count; i++)
                if (policy.IsAttackable(labels[i]) && !chosen.Contains(i) && (pass == 1 || seen.Add(labels[i])))
                    chosen.Add(i);
        if (chosen.Count == 0) throw new AntidoteException("the test set has no image whose label the attack changes");
        chosen.Sort();
        return chosen.ToArray();
    }

    /// <summary>Columns of [N, C, H, W] images side by side, one row per image, white separators, scaled up → [C, H', W'].</summary>
    private static Tensor Compose(Tensor[] columns)
    {
        long n = columns[0].shape[0], c = columns[0].shape[1], h = columns[0].shape[2], w = columns[0].shape[3];
        int scale = (int)Math.Max(1, Math.Ceiling(MinCellSide / (double)Math.Max(h, w)));
        long cellH = h * scale, cellW = w * scale;
        var canvas = ones(c, Separator + n * (cellH + Separator), Separator + columns.Length * (cellW + Separator));
        for (int col = 0; col < columns.Length; col++)
        {
            var big = nn.functional.interpolate(columns[col].to(CPU), [cellH, cellW], mode: InterpolationMode.Nearest);
            for (long row = 0; row < n; row++)
                canvas.narrow(1, Separator + row * (cellH + Separator), cellH).narrow(2, Separator + col * (cellW + Separator), cellW).copy_(big[row]);
        }
        return canvas;
    }
}
