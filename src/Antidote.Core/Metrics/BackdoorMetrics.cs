namespace Antidote.Core.Metrics;

/// <summary>
/// The BackdoorBench metrics the D3 paper reports, computed from predictions. All rates are fractions in [0, 1].
/// </summary>
public static class BackdoorMetrics
{
    /// <summary>ACC: top-1 accuracy on the clean test set.</summary>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> labels) => FractionEqual(predicted, labels);

    /// <summary>
    /// ASR: on triggered test samples whose true label is not their attack target, the fraction predicted as
    /// the target. <paramref name="targets"/> holds each sample's attack target (all-to-one: the same label).
    /// </summary>
    public static double AttackSuccessRate(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets) => FractionEqual(predicted, targets);

    /// <summary>RA: on the same triggered samples, the fraction still predicted as the true label.</summary>
    public static double RobustAccuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> trueLabels) => FractionEqual(predicted, trueLabels);

    /// <summary>
    /// DER = [max(0, ΔASR) − max(0, ΔACC) + 1] / 2, in [0, 1] (BackdoorBench; D3 paper, Sec. 5.1).
    /// </summary>
    public static double DefenseEffectivenessRating(double accBefore, double asrBefore, double accAfter, double asrAfter) =>
        (Math.Max(0, asrBefore - asrAfter) - Math.Max(0, accBefore - accAfter) + 1) / 2;

    private static double FractionEqual(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"length mismatch: {a.Length} predictions, {b.Length} labels");
        if (a.Length == 0)
            return double.NaN;
        int equal = 0;
        for (int i = 0; i < a.Length; i++)
            if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }
}
