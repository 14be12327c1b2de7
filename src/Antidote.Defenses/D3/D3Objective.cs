using Antidote.Data;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.D3;

/// <summary>
/// D3's per-batch objective (paper Sec. 4; reference defense/d3.py):
///   hinge = mean_i max(0, CE_i − ε),  d = Σ_k ‖W_k − W0_k‖_p,
///   loss = λ·hinge − d, divided by (λ + 1) when λ > 1 to keep its scale bounded,
/// followed after every optimizer step by the projection onto each ‖W0_k‖ sphere. Every <paramref name="hingeEvery"/>
/// epochs it measures the clean hinge on the defender's subset (eval mode, no augmentation). After each epoch λ's rule
/// and the <paramref name="stopping"/> rule read that measurement; with <paramref name="signal"/> = Batches they read it
/// where it was taken (and after the first epoch) and in between the epoch's own batch hinge scaled by the ratio of the two
/// at the last pass. Every parameter outside the pushed modules steps at <paramref name="unpushedLearningRateScale"/> × the
/// learning rate.
/// </summary>
public sealed class D3Objective(
    SelectedWeights selected, double epsilon, ILambdaRule lambda,
    ImageDataset cleanData, DataPipeline pipeline, CleanStoppingRule? stopping, int hingeEvery = 1,
    double unpushedLearningRateScale = 1, HingeSignal signal = HingeSignal.CleanPass) : ITrainingObjective
{
    // Its distance term reads the master weights, whose gradients the trainer adds to the copy's (BFloat16Replica).
    public bool RunsInBFloat16 => true;

    // Batches signal: the clean pass's hinge over the batches' at the last epoch both were measured (1 until then).
    private double _batchesToPass = 1;

    public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs) =>
        TrainingOptimizers.SgdCosine(model, settings, epochs, name => !selected.Covers(name), unpushedLearningRateScale);

    /// <summary>The paper's per-batch loss for a given λ (kept separate so its form can be checked exactly).</summary>
    public static Tensor PenalisedLoss(Tensor hinge, Tensor distance, double lambda)
    {
        var loss = lambda * hinge - distance;
        return lambda > 1 ? loss / (lambda + 1) : loss;
    }

    public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
    {
        var logits = model.call(inputs);
        var crossEntropy = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
        var hinge = nn.functional.relu(crossEntropy - epsilon).mean();
        var loss = PenalisedLoss(hinge, selected.Distance(), lambda.Value);
        long n = labels.shape[0];
        metrics.Add("hinge", hinge.item<float>(), n);
        metrics.Add("train_acc", logits.argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>(), n);
        return loss;
    }

    public void AfterStep() => selected.Project();

    public bool AfterEpoch(ImageClassifier model, EpochRecord record)
    {
        double distance;
        using (no_grad())
        using (var d = selected.Distance())
            distance = d.item<float>();
        record.Values["distance"] = distance;
        record.Values["lambda"] = lambda.Value;
        double? measured = null;
        if (hingeEvery >= 1 && record.Epoch % hingeEvery == 0 || signal == HingeSignal.Batches && record.Epoch == 1)
            record.Values["clean_hinge"] = (measured = Evaluator.MeanHinge(model, cleanData, pipeline, epsilon)).Value;
        if (signal == HingeSignal.Batches)
        {
            double batches = record.Values["hinge"];
            if (measured is double pass && batches > 0) _batchesToPass = pass / batches;
            record.Values["signal"] = (measured = measured ?? batches * _batchesToPass).Value;
        }
        if (measured is not double hinge)
            return true;
        lambda.Update(hinge);
        if (stopping is null)
            return true;
        record.Values["budget"] = stopping.Budget;
        bool fired = stopping.Observe(record.Epoch, distance, hinge);
        return !(fired && stopping.StopsTraining);
    }
}
