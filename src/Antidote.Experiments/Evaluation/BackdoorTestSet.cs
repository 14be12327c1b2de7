using Antidote.Attacks;
using Antidote.Core.Metrics;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;
using Antidote.Data.Batching;
using TorchSharp;

namespace Antidote.Experiments.Evaluation;

/// <summary>The clean test set and its triggered counterpart; measures ACC, ASR and RA of a model.</summary>
public sealed class BackdoorTestSet : IDisposable
{
    private readonly ImageDataset _triggered;
    private readonly int[] _targets;

    public BackdoorTestSet(ImageDataset cleanTest, IAttack attack)
    {
        Clean = cleanTest;
        (_triggered, _targets) = PoisonedData.Test(cleanTest, attack);
    }

    /// <summary>The clean test set (not owned).</summary>
    public ImageDataset Clean { get; }

    public EvaluationResult Evaluate(ImageClassifier model, DataPipeline pipeline)
    {
        int[] clean = Evaluator.Predict(model, Clean, pipeline);
        int[] triggered = Evaluator.Predict(model, _triggered, pipeline);
        return new EvaluationResult(
            BackdoorMetrics.Accuracy(clean, Clean.LabelArray),
            BackdoorMetrics.AttackSuccessRate(triggered, _targets),
            BackdoorMetrics.RobustAccuracy(triggered, _triggered.LabelArray));
    }

    /// <summary>Adds acc/asr/ra to an epoch record.</summary>
    public void AddTo(EpochRecord record, ImageClassifier model, DataPipeline pipeline)
    {
        var result = Evaluate(model, pipeline);
        record.Values["acc"] = result.Accuracy;
        record.Values["asr"] = result.AttackSuccessRate;
        record.Values["ra"] = result.RobustAccuracy;
    }

    /// <summary>Mean cross-entropy of the first <paramref name="maxImages"/> clean test images against their labels, and of
    /// their triggered copies against the attack's targets (low: the backdoor works).</summary>
    public (double Clean, double Backdoor) Losses(ImageClassifier model, DataPipeline pipeline, int maxImages)
    {
        bool wasTraining = model.training;
        model.eval();
        double clean = 0, backdoor = 0;
        int cleanCount = Math.Min(maxImages, Clean.Count), triggeredCount = Math.Min(maxImages, _triggered.Count);
        using (torch.no_grad())
        {
            foreach (long[] batch in IndexBatches.InOrder(cleanCount, 512))
            {
                using var scope = torch.NewDisposeScope();
                var (inputs, labels) = pipeline.EvalBatch(Clean, batch);
                clean += torch.nn.functional.cross_entropy(model.call(inputs), labels, reduction: torch.nn.Reduction.Sum).item<float>();
            }
            foreach (long[] batch in IndexBatches.InOrder(triggeredCount, 512))
            {
                using var scope = torch.NewDisposeScope();
                var (inputs, _) = pipeline.EvalBatch(_triggered, batch);
                var targets = torch.tensor(batch.Select(i => (long)_targets[i]).ToArray(), device: pipeline.Device);
                backdoor += torch.nn.functional.cross_entropy(model.call(inputs), targets, reduction: torch.nn.Reduction.Sum).item<float>();
            }
        }
        if (wasTraining) model.train();
        return (clean / Math.Max(1, cleanCount), backdoor / Math.Max(1, triggeredCount));
    }

    public void Dispose() => _triggered.Dispose();
}
