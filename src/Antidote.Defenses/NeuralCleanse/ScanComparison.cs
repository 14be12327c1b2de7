namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// A check that a backdoor survived a defense, from clean data only: the class whose reversed trigger was the smallest before
/// the defense (the scan's best guess at a target, flagged or not) and where its trigger ranks after. A removed backdoor
/// leaves its class ordinary; a surviving one keeps it among the easiest classes to reach. A class that was only a little
/// easier than the next before is likely a naturally easy one (a bag on Fashion-MNIST), which no defense moves: with
/// <paramref name="StandOut"/> under 1 the check follows the easiest class only when its trigger was at most that fraction of
/// the next class's (<see cref="SurvivalRule"/>).
/// </summary>
/// <param name="NextBefore">The second-smallest trigger before the defense.</param>
/// <param name="RankAfter">1 = still the smallest trigger of all classes after the defense.</param>
/// <param name="Rule">How the two scans are read: the rank that counts as possibly surviving, and the stand-out gate.</param>
public sealed record ScanComparison(int Suspect, double NormBefore, double NextBefore, double NormAfter, int RankAfter, int Classes,
    SurvivalRule Rule)
{
    public static ScanComparison Of(ScanReport before, ScanReport after, SurvivalRule rule)
    {
        var (suspect, norm, next) = Easiest(before);
        double normAfter = after.Classes[suspect].MaskNorm;
        int rank = 1 + after.Classes.Count(c => c.MaskNorm < normAfter);
        return new ScanComparison(suspect, norm, next, normAfter, rank, after.Classes.Count, rule);
    }

    /// <summary>The class with the smallest trigger in <paramref name="before"/>, its norm and the second-smallest norm.</summary>
    public static (int Class, double Norm, double Next) Easiest(ScanReport before)
    {
        var easiest = before.Classes.OrderBy(c => c.MaskNorm).ToList();
        return (easiest[0].Class, easiest[0].MaskNorm, easiest.Count > 1 ? easiest[1].MaskNorm : double.PositiveInfinity);
    }

    /// <summary>Whether the easiest class before was easy enough, against the next, to be followed.</summary>
    public bool StandsOut => Rule.Follows(NormBefore, NextBefore);

    public bool MaySurvive => StandsOut && RankAfter <= Rule.Rank;

    /// <summary>One plain sentence.</summary>
    public string Verdict => !StandsOut
        ? $"class {Suspect}, the easiest to reach before, did not stand out (trigger {NormBefore:F1}, the next {NextBefore:F1}: more than " +
          $"{Rule.StandOut:G3}× it), so the scan has no suspect to follow (it is rank {RankAfter} of {Classes} after, trigger {NormAfter:F1})"
        : MaySurvive
        ? $"class {Suspect}, the easiest to reach before, is still among the {Rule.Rank} easiest after (rank {RankAfter} of {Classes}, " +
          $"trigger {NormBefore:F1} -> {NormAfter:F1}): a backdoor into it may survive"
        : $"class {Suspect}, the easiest to reach before, is now rank {RankAfter} of {Classes} (trigger {NormBefore:F1} -> {NormAfter:F1}): " +
          "the scan sees no sign that a backdoor into it survived";
}
