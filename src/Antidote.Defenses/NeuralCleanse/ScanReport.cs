namespace Antidote.Defenses.NeuralCleanse;

/// <summary>One class of a trigger scan: the L1 norm of its smallest trigger, how far below the median that is in MADs
/// (Neural Cleanse's anomaly index; 0 at or above the median), and the share of held-out clean images of other classes
/// the trigger sends to it.</summary>
public sealed record ClassScan(int Class, double MaskNorm, double AnomalyIndex, double HeldOutSuccess);

/// <summary>What a trigger scan found, from clean data only.</summary>
/// <param name="Flagged">Classes whose anomaly index exceeds the threshold, most anomalous first.</param>
/// <param name="AnomalyIndex">The largest anomaly index (the smallest trigger's), Neural Cleanse's score for the model.</param>
/// <param name="MeasuredOnHeldOut">False when the triggers' success was measured on the rows they were searched on (NC as a
/// defense uses every clean row for the search).</param>
public sealed record ScanReport(IReadOnlyList<ClassScan> Classes, IReadOnlyList<int> Flagged, double AnomalyIndex, double Threshold,
    double MedianNorm, int HeldOutImages, double Seconds, bool MeasuredOnHeldOut = true)
{
    /// <summary>The class with the smallest trigger.</summary>
    public ClassScan Smallest => Classes.MaxBy(c => c.AnomalyIndex)!;

    /// <summary>One plain sentence.</summary>
    public string Verdict => Flagged.Count > 0
        ? $"class {Flagged[0]} looks backdoored: anomaly index {Classes[Flagged[0]].AnomalyIndex:F1} (over {Threshold:0.#}); its reversed " +
          $"trigger covers {Classes[Flagged[0]].MaskNorm:F1} pixels against a median of {MedianNorm:F1} and sends " +
          $"{Classes[Flagged[0]].HeldOutSuccess:P0} of the other classes' images to it (of {HeldOutImages} " +
          (MeasuredOnHeldOut ? "held-out images)" : "images it searched on: nothing was held out)") +
          (Flagged.Count > 1 ? $" (also flagged: {string.Join(", ", Flagged.Skip(1))})" : "")
        : $"no class stands out: the largest anomaly index is {Smallest.AnomalyIndex:F1} (class {Smallest.Class}), under {Threshold:0.#}";
}
