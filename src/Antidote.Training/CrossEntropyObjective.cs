using Antidote.Models;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>Plain supervised training: mean cross-entropy (optionally label-smoothed).</summary>
public sealed class CrossEntropyObjective(double labelSmoothing = 0) : ITrainingObjective
{
    public bool RunsInBFloat16 => true;

    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: labelSmoothing);
        metrics.AddAccuracy("train_acc", logits, labels);
        return loss;
    }
}
