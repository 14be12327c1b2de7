using Antidote.Attacks;
using Antidote.Attacks.LabelConsistent;
using Antidote.Data;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class LabelConsistentTests
{
    [Fact]
    public void The_corner_pattern_drives_36_pixels_to_black_or_white_and_leaves_the_rest()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info(side: 12, channels: 3);
        using var attack = new LabelConsistentAttack(new AttackRequest(info, new AttackSettings(Target: 1), new LabelConsistentOptions()), new LabelConsistentOptions());
        var grey = full([1, 3, 12, 12], 0.5f);
        var stamped = attack.ApplyTrigger(grey);
        var changed = stamped.ne(grey).any(1)[0];
        Assert.Equal(36, changed.sum().item<long>());
        // BackdoorBench's top-left corner: + at (0,0), (1,1), (2,0), (2,2); − elsewhere; the same on every channel.
        Assert.Equal(1f, stamped[0, 2, 0, 0].item<float>());
        Assert.Equal(0f, stamped[0, 0, 0, 1].item<float>());
        Assert.Equal(1f, stamped[0, 1, 11, 11].item<float>());
        Assert.Equal(0f, stamped[0, 1, 10, 11].item<float>());
        Assert.False(changed[3..9, 3..9].any().item<bool>());
    }

    [Fact]
    public void Only_target_class_rows_are_poisoned_labels_are_kept_and_the_perturbation_stays_within_epsilon()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info();
        using var train = QuadrantImages.Create(80, seed: 1);
        var settings = new AttackSettings(Target: 1, PoisonRatio: 0.5);
        var options = new LabelConsistentOptions(Epsilon: 16, StepSize: 4, Steps: 5, SurrogateEpochs: 2);
        using var attack = Components.Attack("lc", info, settings, options);
        var plan = attack.Plan(train.LabelArray, settings, seed: 3);
        Assert.NotEmpty(plan.Indices);
        Assert.All(plan.Indices, row => Assert.Equal(1, train.LabelArray[row]));
        // round(0.5 × 80) = 40 wanted, capped by the target class.
        Assert.Equal(Math.Min(40, train.LabelArray.Count(l => l == 1)), plan.Indices.Length);

        using var poisoned = PoisonedData.Training(train, attack, plan);
        Assert.Equal(train.LabelArray, poisoned.LabelArray);
        var index = tensor(plan.Indices.Select(i => (long)i).ToArray());
        var clean = train.Images.index_select(0, index);
        var stampedOnly = attack.ApplyTrigger(clean);
        var pattern = ((LabelConsistentAttack)attack).Pattern(info.Height, info.Width, CPU).ne(0);
        var difference = (poisoned.Images.index_select(0, index) - stampedOnly).abs().masked_fill(pattern, 0);
        Assert.True(difference.max().item<float>() <= 16 / 255f + 1e-6f, $"perturbation {difference.max().item<float>() * 255} > 16/255");
        Assert.True(difference.max().item<float>() > 1 / 255f, "PGD changed nothing");
    }

    [Fact]
    public void Pgd_raises_the_loss_of_the_true_class()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info();
        using var train = QuadrantImages.Create(40, seed: 2);
        var prep = Components.Preparation(info);
        using var model = prep.CreateModel();
        var labels = train.Labels;
        var before = nn.functional.cross_entropy(model.call(prep.Pipeline.Normalize(train.Images)), labels).item<float>();
        var adversarial = LabelConsistentAttack.Pgd(model, prep.Pipeline, train.Images, labels, 8 / 255.0, 2 / 255.0, 10);
        var after = nn.functional.cross_entropy(model.call(prep.Pipeline.Normalize(adversarial)), labels).item<float>();
        Assert.True(after > before, $"{after} <= {before}");
        Assert.True((adversarial - train.Images).abs().max().item<float>() <= 8 / 255f + 1e-6f);
    }

    [Fact]
    public void BackdoorBench_perturbed_images_replace_pgd_for_the_poisoned_rows_and_still_get_the_corner_pattern()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        using var train = QuadrantImages.Create(40, seed: 4);
        var (file, perturbed) = SsbaTests.ImageFile(40, 12, 1, salt: 3);
        File.WriteAllBytes(folder.File("adv.npy"), file);
        var settings = new AttackSettings(Target: 1, PoisonRatio: 0.5);
        var options = new LabelConsistentOptions(ImagesFile: folder.File("adv.npy"));
        using var attack = new LabelConsistentAttack(new AttackRequest(info, settings, options), options);
        var log = new ListRunLog();
        attack.Prepare(Components.Preparation(info) with { CleanTrain = train, Log = log });
        var plan = ((IAttack)attack).Plan(train.LabelArray, settings, seed: 3);
        using var poisoned = PoisonedData.Training(train, attack, plan);

        var index = tensor(plan.Indices.Select(i => (long)i).ToArray());
        Assert.True(poisoned.Images.index_select(0, index).allclose(attack.ApplyTrigger(perturbed.index_select(0, index)), rtol: 0, atol: 0));
        Assert.Equal(train.LabelArray, poisoned.LabelArray);
        // Rows outside the plan are the clean images, and nothing was trained.
        var others = tensor(Enumerable.Range(0, 40).Except(plan.Indices).Select(i => (long)i).ToArray());
        Assert.True(poisoned.Images.index_select(0, others).allclose(train.Images.index_select(0, others), rtol: 0, atol: 0));
        Assert.DoesNotContain(log.Lines, l => l.Contains("surrogate"));
        attack.SaveArtifacts(folder.Path);
        Assert.False(File.Exists(Path.Combine(folder.Path, LabelConsistentAttack.SurrogateFile)));
    }
}
