using Antidote.Models;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>Plain supervised training: mean cross-entropy (optionally label-smoothed). With <paramref name="hingeEpsilon"/> it
/// also logs D3's clean hinge of each batch, mean max(0, CE − ε), from the same logits (detached: the loss is unchanged).</summary>
public sealed class CrossEntropyObjective(double labelSmoothing = 0, double? hingeEpsilon = null) : ITrainingObjective
{
    public bool RunsInBFloat16 => true;

    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: labelSmoothing);
        metrics.AddAccuracy("train_acc", logits, labels);
        if (hingeEpsilon is double epsilon)
            using (no_grad())
                metrics.Add("hinge", nn.functional.relu(nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None) - epsilon)
                    .mean().item<float>(), labels.shape[0]);
        return loss;
    }
}
