using Antidote.Attacks;
using Antidote.Data;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

/// <summary>Every registered attack, with its default options, on tiny data: it poisons the planned rows and nothing else (or,
/// poisoning per batch, plans no rows and poisons in its training objective), and rebuilt from its saved artifacts it triggers
/// exactly as it did when planted.</summary>
public class AttackCatalogTests
{
    public static TheoryData<string> AttackNames() => new(AttackCatalog.Default.Entries.Where(e => e.Plantable).Select(e => e.Name));

    [Theory]
    [MemberData(nameof(AttackNames))]
    public void Each_attack_poisons_its_planned_rows_and_is_rebuilt_from_its_artifacts(string name)
    {
        var info = QuadrantImages.Info();
        using var train = QuadrantImages.Create(80, seed: 1);
        using var test = QuadrantImages.Create(20, seed: 2);
        var settings = new AttackSettings(Target: 1, PoisonRatio: 0.2);
        using var attack = Components.Attack(name, info, settings);
        var plan = attack.Plan(train.LabelArray, settings, seed: 5);
        using var poisoned = PoisonedData.Training(train, attack, plan);
        var changed = (poisoned.Images - train.Images).abs().flatten(1).sum(1).gt(1e-6f).data<bool>().ToArray();
        var touched = plan.Indices.Concat(plan.Cross ?? []).ToHashSet();
        for (int row = 0; row < train.Count; row++)
            if (!touched.Contains(row)) Assert.False(changed[row], $"row {row} is not in the plan but changed");
        if (plan.PerBatch)
        {
            Assert.Empty(plan.Indices);
            var objective = attack.TrainingObjective(poisoned);
            Assert.NotNull(objective);
            var (images, labels) = objective.PrepareBatch(train.Images, train.Labels, Enumerable.Range(0, train.Count).Select(i => (long)i).ToArray());
            Assert.Equal(16, labels.data<long>().Take(16).Count(l => l == 1)); // int(0.2 × 80) rows relabelled to the target
            Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1, $"{name}: {images.min().item<float>()}..{images.max().item<float>()}");
        }
        else
        {
            Assert.NotEmpty(plan.Indices);
            Assert.True(plan.Indices.Count(i => changed[i]) > plan.Indices.Length / 2, "most poisoned rows carry a visible trigger");
        }
        Assert.True(poisoned.Images.min().item<float>() >= 0 && poisoned.Images.max().item<float>() <= 1);

        using var folder = new TempDirectory();
        attack.SaveArtifacts(folder.Path);
        using var rebuilt = AttackCatalog.Default.Get(name).Create(new AttackRequest(info, settings, Components.AttackOptions(name)));
        rebuilt.LoadArtifacts(folder.Path);
        var (a, _) = PoisonedData.Test(test, attack);
        var (b, _) = PoisonedData.Test(test, rebuilt);
        using (a) using (b)
            Assert.True(a.Images.allclose(b.Images, atol: 1f / 255), "the rebuilt attack triggers as the planted one (up to PNG quantisation)");
    }
}
