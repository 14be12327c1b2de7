using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.D3;

/// <summary>
/// D3's per-batch objective (paper Sec. 4; reference defense/d3.py):
///   hinge = mean_i max(0, CE_i − ε),  d = Σ_k ‖W_k − W0_k‖_p,
///   loss = λ·hinge − d, divided by (λ + 1) when λ > 1 to keep its scale bounded,
/// followed after every optimizer step by the projection onto each ‖W0_k‖ sphere.
/// </summary>
public sealed class D3Objective(SelectedWeights selected, double epsilon, ILambdaRule lambda) : ITrainingObjective
{
    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        var crossEntropy = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
        var hinge = nn.functional.relu(crossEntropy - epsilon).mean();
        var distance = selected.Distance();
        double weight = lambda.Value;
        var loss = weight * hinge - distance;
        if (weight > 1)
            loss = loss / (weight + 1);
        long n = labels.shape[0];
        metrics.Add("hinge", hinge.item<float>(), n);
        metrics.Add("train_acc", logits.argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>(), n);
        return loss;
    }

    public void AfterStep() => selected.Project();

    public bool AfterEpoch(EpochRecord record)
    {
        using (no_grad())
        using (var distance = selected.Distance())
            record.Values["distance"] = distance.item<float>();
        record.Values["lambda"] = lambda.Value;
        lambda.Update(record.Values["hinge"]);
        return true;
    }
}
