namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// A check that a backdoor survived a defense, from clean data only: the class whose reversed trigger was the smallest before
/// the defense (the scan's best guess at a target, flagged or not) and where its trigger ranks after. A removed backdoor
/// leaves its class ordinary; a surviving one keeps it among the easiest classes to reach.
/// </summary>
/// <param name="RankAfter">1 = still the smallest trigger of all classes after the defense.</param>
/// <param name="SurvivalRank">The rank at or below which the class counts as possibly surviving.</param>
public sealed record ScanComparison(int Suspect, double NormBefore, double NormAfter, int RankAfter, int Classes, int SurvivalRank)
{
    public static ScanComparison Of(ScanReport before, ScanReport after, int survivalRank)
    {
        int suspect = before.Classes.MinBy(c => c.MaskNorm)!.Class;
        double normAfter = after.Classes[suspect].MaskNorm;
        int rank = 1 + after.Classes.Count(c => c.MaskNorm < normAfter);
        return new ScanComparison(suspect, before.Classes[suspect].MaskNorm, normAfter, rank, after.Classes.Count, survivalRank);
    }

    public bool MaySurvive => RankAfter <= SurvivalRank;

    /// <summary>One plain sentence.</summary>
    public string Verdict => MaySurvive
        ? $"class {Suspect}, the easiest to reach before, is still among the {SurvivalRank} easiest after (rank {RankAfter} of {Classes}, " +
          $"trigger {NormBefore:F1} -> {NormAfter:F1}): a backdoor into it may survive"
        : $"class {Suspect}, the easiest to reach before, is now rank {RankAfter} of {Classes} (trigger {NormBefore:F1} -> {NormAfter:F1}): " +
          "the scan sees no sign that a backdoor into it survived";
}
