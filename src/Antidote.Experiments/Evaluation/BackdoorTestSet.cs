using Antidote.Attacks;
using Antidote.Core.Metrics;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;

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

    public void Dispose() => _triggered.Dispose();
}
