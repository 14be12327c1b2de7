using Antidote.Attacks;
using Antidote.Data;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Attacks;

public class PoisoningTests
{
    private static readonly DatasetInfo Info = QuadrantImages.Info();

    private static IAttack Create(string name, AttackSettings settings) => Components.Attack(name, Info, settings);

    [Fact]
    public void The_plan_poisons_the_ratio_of_the_set_drawn_from_all_rows_as_BackdoorBench_and_repeats_with_the_seed()
    {
        int[] labels = Enumerable.Range(0, 400).Select(i => i % 4).ToArray();
        var settings = new AttackSettings(Target: 0, PoisonRatio: 0.5);
        var attack = Create("badnets", settings);
        var plan = PoisonPlanner.Plan(attack, labels, settings, seed: 3);
        Assert.Equal(200, plan.Indices.Length);
        // Target-class rows are drawn too, about in proportion (a quarter of 200; the old plan drew none).
        Assert.InRange(plan.Indices.Count(i => labels[i] == 0), 25, 75);
        Assert.Equal(plan.Indices, PoisonPlanner.Plan(attack, labels, settings, seed: 3).Indices);
        Assert.NotEqual(plan.Indices, PoisonPlanner.Plan(attack, labels, settings, seed: 4).Indices);
    }

    [Fact]
    public void SIG_poisons_only_target_class_rows_and_keeps_their_labels()
    {
        using var clean = QuadrantImages.Create(80);
        var settings = new AttackSettings(Target: 2, PoisonRatio: 0.5); // wants 40, only 20 rows are class 2
        var attack = Create("sig", settings);
        var plan = PoisonPlanner.Plan(attack, clean.LabelArray, settings, seed: 0);
        Assert.Equal(20, plan.Indices.Length);
        Assert.All(plan.Indices, i => Assert.Equal(2, clean.LabelArray[i]));
        using var poisoned = PoisonedData.Training(clean, attack, plan);
        Assert.Equal(clean.LabelArray, poisoned.LabelArray);
        Assert.False(poisoned.Images[plan.Indices[0]].eq(clean.Images[plan.Indices[0]]).all().item<bool>());
    }

    [Fact]
    public void Poisoned_training_rows_carry_the_trigger_and_the_target_and_the_rest_stay_clean()
    {
        using var clean = QuadrantImages.Create(40);
        var settings = new AttackSettings(Target: 1, PoisonRatio: 0.25);
        var attack = Create("badnets", settings);
        var plan = PoisonPlanner.Plan(attack, clean.LabelArray, settings, seed: 0);
        using var poisoned = PoisonedData.Training(clean, attack, plan);
        for (int i = 0; i < clean.Count; i++)
        {
            bool isPoisoned = plan.Indices.Contains(i);
            Assert.Equal(isPoisoned ? 1 : clean.LabelArray[i], poisoned.LabelArray[i]);
            Assert.Equal(isPoisoned ? 1f : clean.Images[i, 0, 11, 11].item<float>(), poisoned.Images[i, 0, 11, 11].item<float>());
        }
    }

    [Fact]
    public void The_triggered_test_set_drops_target_class_rows_and_all_to_all_targets_the_next_class()
    {
        using var test = QuadrantImages.Create(20);
        var (oneTriggered, oneTargets) = PoisonedData.Test(test, Create("badnets", new AttackSettings(Target: 3)));
        using (oneTriggered)
        {
            Assert.Equal(15, oneTriggered.Count);
            Assert.DoesNotContain(3, oneTriggered.LabelArray);
            Assert.All(oneTargets, t => Assert.Equal(3, t));
        }
        var (allTriggered, allTargets) = PoisonedData.Test(test, Create("badnets", new AttackSettings(LabelMode: LabelMode.AllToAll)));
        using (allTriggered)
        {
            Assert.Equal(20, allTriggered.Count);
            Assert.Equal(allTriggered.LabelArray.Select(l => (l + 1) % 4), allTargets);
        }
    }
}
