using Antidote.Data.Images;
using Antidote.Defenses.NeuralCleanse;
using static TorchSharp.torch;

namespace Antidote.Experiments.Scan;

/// <summary>The reversed triggers as one PNG: a row per class, its mask (white = stamped) beside the stamp m·p, enlarged.</summary>
public static class TriggerGrid
{
    public static void Write(string path, IReadOnlyList<ReversedTrigger> triggers, int scale = 4)
    {
        using var scope = NewDisposeScope();
        long channels = triggers[0].Pattern.shape[0];
        var rows = triggers.Select(t =>
        {
            var mask = t.Mask.to(CPU).expand(channels, -1, -1);
            var stamp = mask * t.Pattern.to(CPU);
            var gap = ones(channels, mask.shape[1], 1);
            return cat([mask, gap, stamp], 2);
        }).ToList();
        var separator = ones(channels, 1, rows[0].shape[2]);
        var grid = cat(rows.SelectMany((r, i) => i == 0 ? new[] { r } : [separator, r]).ToArray(), 1);
        var enlarged = nn.functional.interpolate(grid.unsqueeze(0), scale_factor: [scale, scale], mode: InterpolationMode.Nearest).squeeze(0);
        ImageFile.WritePng(path, enlarged.clamp(0, 1));
    }
}
