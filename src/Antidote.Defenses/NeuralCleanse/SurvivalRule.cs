using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// How a scan before and a scan after a defense are read (<see cref="ScanComparison"/>; ours, README "A faint blend instead of
/// a patch"): the class with the smallest trigger before is followed, and counts as possibly still backdoored while its
/// trigger stays among the <paramref name="Rank"/> smallest after, provided it stood out before: its trigger at most
/// <paramref name="StandOut"/> times the next class's. On the models scanned (README) a Blended
/// target's blend was 0.12–0.57 of the next class's and the easiest class of BadNets, SIG and clean models, a natural one,
/// 0.84–0.96; but following such a class once removed a BadNets backdoor by chance, so the scan's default (1) follows it
/// always (D3's check, which acts on it, gates at 0.5: <see cref="D3.SurvivalCheckOptions"/>).
/// </summary>
public sealed record SurvivalRule(
    [Description("Before and after a defense: the class with the smallest trigger before counts as possibly still backdoored while its trigger stays among this many smallest after")]
    int Rank = 3,
    [Description("Follow the class with the smallest trigger before only when it is at most this times the next class's (1 = always; a class barely easier than the next is likely a naturally easy one)")]
    double StandOut = 1) : IComponentOptions
{
    /// <summary>Whether a class whose trigger is <paramref name="easiest"/>, the next class's <paramref name="next"/>, stood out
    /// enough to be followed.</summary>
    public bool Follows(double easiest, double next) => easiest <= StandOut * next;

    public void Validate()
    {
        OptionCheck.Positive(nameof(Rank), Rank);
        OptionCheck.Fraction(nameof(StandOut), StandOut);
    }
}
