using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>Rows an attack changes in each batch without relabelling them (WaNet's cross rows, BPP's negative rows), so that
/// the model learns that a near-trigger is not the trigger.</summary>
/// <param name="Count">How many, from the batch's poisoned count and its size.</param>
/// <param name="Change">Images in [0, 1] → the changed images (the step's dispose scope owns the result).</param>
public sealed record KeptLabelRows(Func<int, int, int> Count, Func<Tensor, Tensor> Change);

/// <summary>
/// Poisoning while the model trains, as BackdoorBench's WaNet, Input-aware and BPP do (wanet.py L578-579, bpp.py L879-880):
/// in each shuffled batch of n rows the first int(ratio × n) are triggered and relabelled, the next rows are changed but keep
/// their label (<see cref="KeptLabelRows"/>), the rest stay clean; then the attack's own augmentation runs on the whole batch
/// and the loss is cross-entropy. Where ratio × n &lt; 1 a batch holds one poisoned row with probability ratio × n
/// (BackdoorBench's generalize_to_lower_pratio). The learning rate follows BackdoorBench's MultiStepLR (milestones
/// 100/200/300/400, γ 0.1), which keeps it constant for runs of up to 100 epochs.
/// </summary>
public sealed class PerBatchPoisoning(
    LabelPolicy labels, double poisonRatio, Func<Tensor, Tensor> trigger, KeptLabelRows? keptLabelRows, PostTensorAugmentation augmentation)
    : ITrainingObjective
{
    /// <summary>BackdoorBench's attack schedule for these attacks (config/attack/wanet/default.yaml L11, bpp/default.yaml).</summary>
    public static readonly int[] Milestones = [100, 200, 300, 400];

    private int _poisonedInBatch;

    /// <summary>Triggered rows in a batch of <paramref name="batch"/> rows.</summary>
    public static int PoisonedCount(double ratio, int batch)
    {
        double expected = ratio * batch;
        if (expected >= 1) return (int)expected;
        return rand(1, dtype: ScalarType.Float64).item<double>() < expected ? 1 : 0;
    }

    public bool AugmentsBatch => true;

    public bool RunsInBFloat16 => true;

    public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs) =>
        TrainingOptimizers.SgdMultiStep(model, settings, Milestones, 0.1);

    public (Tensor Images, Tensor Labels) PrepareBatch(Tensor images, Tensor batchLabels, long[] rows)
    {
        int n = rows.Length;
        int poisoned = PoisonedCount(poisonRatio, n);
        int kept = poisoned == 0 || keptLabelRows is null ? 0 : Math.Min(keptLabelRows.Count(poisoned, n), n - poisoned);
        _poisonedInBatch = poisoned;
        if (poisoned == 0)
            return (augmentation.Apply(images), batchLabels);
        var parts = new List<Tensor> { trigger(images.narrow(0, 0, poisoned)) };
        if (kept > 0) parts.Add(keptLabelRows!.Change(images.narrow(0, poisoned, kept)));
        if (poisoned + kept < n) parts.Add(images.narrow(0, poisoned + kept, n - poisoned - kept));
        return (augmentation.Apply(cat(parts, 0)), Relabel(labels, batchLabels, poisoned));
    }

    /// <summary>The batch's labels with its first <paramref name="poisoned"/> rows sent to their attack targets.</summary>
    public static Tensor Relabel(LabelPolicy policy, Tensor labels, int poisoned)
    {
        var targets = labels.narrow(0, 0, poisoned).data<long>().Select(l => (long)policy.TargetFor((int)l)).ToArray();
        return cat([tensor(targets, ScalarType.Int64, labels.device), labels.narrow(0, poisoned, labels.shape[0] - poisoned)]);
    }

    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor batchLabels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        AddScores(metrics, logits, batchLabels, _poisonedInBatch);
        return nn.functional.cross_entropy(logits, batchLabels);
    }

    /// <summary>train_acc over the batch and train_asr over its first <paramref name="poisoned"/> rows (the triggered ones).</summary>
    public static void AddScores(StepMetrics metrics, Tensor logits, Tensor labels, int poisoned)
    {
        metrics.AddAccuracy("train_acc", logits, labels);
        if (poisoned > 0)
            metrics.AddAccuracy("train_asr", logits.narrow(0, 0, poisoned), labels.narrow(0, 0, poisoned));
    }
}
