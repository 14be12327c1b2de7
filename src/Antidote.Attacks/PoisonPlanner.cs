using Antidote.Core.Runtime;

namespace Antidote.Attacks;

/// <summary>Draws the poisoned training rows deterministically from the seed.</summary>
public static class PoisonPlanner
{
    /// <summary>
    /// round(ratio × N) rows among those eligible: for a clean-label attack, the target-class rows (capped at
    /// how many there are); otherwise every row, target-class rows included, as BackdoorBench draws them
    /// (generate_poison_index_from_label_transform; relabelling a target-class row changes only its image).
    /// </summary>
    public static PoisonPlan Plan(IAttack attack, int[] labels, AttackSettings settings, long seed)
    {
        var policy = attack.Labels;
        var eligible = Enumerable.Range(0, labels.Length)
            .Where(i => !attack.CleanLabel || labels[i] == policy.Target)
            .ToArray();
        int wanted = (int)Math.Round(settings.PoisonRatio * labels.Length);
        int count = Math.Min(wanted, eligible.Length);
        Seeds.Stream(seed, "poison").Shuffle(eligible);
        int[] chosen = eligible[..count];
        Array.Sort(chosen);
        return new PoisonPlan(attack.Name, policy.Mode, policy.Target, settings.PoisonRatio, seed, chosen);
    }
}
