using Antidote.Data;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>Builds the attacker's poisoned training set and the evaluation's triggered test set.</summary>
public static class PoisonedData
{
    /// <summary>A copy of <paramref name="clean"/> with the planned rows changed by their role: poisoned rows triggered and
    /// relabelled by the policy (clean-label attacks keep the label), cross rows changed and keeping theirs.</summary>
    public static ImageDataset Training(ImageDataset clean, IAttack attack, PoisonPlan plan)
    {
        using var scope = NewDisposeScope();
        var images = clean.Images.clone();
        var labels = clean.Labels.clone();
        foreach (var role in new[] { PoisonRole.Poisoned, PoisonRole.Cross })
        {
            int[] rows = plan.Rows(role);
            if (rows.Length == 0) continue;
            var index = tensor(rows.Select(i => (long)i).ToArray(), ScalarType.Int64);
            images.index_copy_(0, index, attack.Poison(clean.Images.index_select(0, index), role, DataSplit.Train, rows));
            if (role == PoisonRole.Poisoned && !attack.CleanLabel)
            {
                var targets = rows.Select(i => (long)attack.Labels.TargetFor(clean.LabelArray[i])).ToArray();
                labels.index_copy_(0, index, tensor(targets, ScalarType.Int64));
            }
        }
        return new ImageDataset(images, labels);
    }

    /// <summary>
    /// The triggered test set: every test sample whose true label differs from its target, with the trigger.
    /// Labels stay the true labels (for RA); <c>Targets</c> holds each row's attack target (for ASR).
    /// </summary>
    public static (ImageDataset Triggered, int[] Targets) Test(ImageDataset test, IAttack attack)
    {
        int[] rows = Enumerable.Range(0, test.Count).Where(i => attack.Labels.IsAttackable(test.LabelArray[i])).ToArray();
        using var subset = test.Subset(rows.Select(i => (long)i).ToArray());
        using var scope = NewDisposeScope();
        var triggered = new ImageDataset(attack.Poison(subset.Images, PoisonRole.Poisoned, DataSplit.Test, rows), subset.Labels.clone());
        var targets = triggered.LabelArray.Select(attack.Labels.TargetFor).ToArray();
        return (triggered, targets);
    }
}
