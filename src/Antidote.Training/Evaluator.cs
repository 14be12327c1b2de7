using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>Batched inference in eval mode under inference mode (no autograd bookkeeping at all: the same kernels and bits as
/// no_grad, 1.35× the small CNN's evaluation images/s in `antidote benchmark --step-variants`); returns the predicted class of every row.</summary>
public static class Evaluator
{
    /// <summary>Rows per evaluation batch. 256, not 512: 1.55× the images/s for the small CNN and 1.15× for PreAct-ResNet18
    /// width 16 on a 2-core CPU (`antidote benchmark --step-variants`, README); 1,024 is slower still.</summary>
    public const int BatchSize = 256;

    public static int[] Predict(ImageClassifier model, ImageDataset data, DataPipeline pipeline, int batchSize = BatchSize) =>
        InEvalMode(model, pipeline, scored =>
        {
            var predictions = new int[data.Count];
            foreach (long[] batch in IndexBatches.InOrder(data.Count, batchSize))
            {
                using var scope = NewDisposeScope();
                var (inputs, _) = pipeline.EvalBatch(data, batch);
                long[] predicted = scored.call(inputs).argmax(1).to(CPU).data<long>().ToArray();
                for (int i = 0; i < batch.Length; i++)
                    predictions[batch[i]] = (int)predicted[i];
            }
            return predictions;
        });

    /// <summary>Top-1 accuracy on <paramref name="data"/> (eval mode, no augmentation).</summary>
    public static double Accuracy(ImageClassifier model, ImageDataset data, DataPipeline pipeline) =>
        Core.Metrics.BackdoorMetrics.Accuracy(Predict(model, data, pipeline), data.LabelArray);

    /// <summary>Rows per partial sum of <see cref="MeanHinge"/>: 512, as before <see cref="BatchSize"/> became 256. Summing in
    /// other blocks changes the sum's last bits, and with them D3's λ path and its results (measured: the same demo run's
    /// clean hinge moved in the fourth digit by epoch 16).</summary>
    public const int HingeSumBlock = 512;

    /// <summary>Mean of max(0, CE − ε) over the rows, without augmentation (D3's clean budget, measured every epoch in dual
    /// mode). The forward passes run <paramref name="batchSize"/> rows at a time (the faster size) and the per-row values are
    /// summed in blocks of <see cref="HingeSumBlock"/>: on the CPU this was measured on a row's loss does not depend on the
    /// batch it was computed in (EvaluatorTests checks it), so this gives the bits of one pass per 512 rows in less time.</summary>
    public static double MeanHinge(ImageClassifier model, ImageDataset data, DataPipeline pipeline, double epsilon, int batchSize = BatchSize) =>
        InEvalMode(model, pipeline, scored =>
        {
            double sum = 0;
            foreach (long[] block in IndexBatches.InOrder(data.Count, HingeSumBlock))
            {
                using var scope = NewDisposeScope();
                var perRow = new List<Tensor>();
                for (int start = 0; start < block.Length; start += batchSize)
                {
                    var (inputs, labels) = pipeline.EvalBatch(data, block[start..Math.Min(block.Length, start + batchSize)]);
                    var crossEntropy = nn.functional.cross_entropy(scored.call(inputs), labels, reduction: nn.Reduction.None);
                    perRow.Add(nn.functional.relu(crossEntropy - epsilon));
                }
                sum += cat(perRow, 0).sum().item<float>();
            }
            return sum / data.Count;
        });

    /// <summary>Runs <paramref name="score"/> on the model in eval mode under inference mode and puts its mode back after;
    /// under bfloat16 the model scored is a bfloat16 copy of a float32 one (<see cref="BFloat16Replica"/>): the training run's
    /// copy when one is training the model, else one made for the call.</summary>
    private static T InEvalMode<T>(ImageClassifier model, DataPipeline pipeline, Func<ImageClassifier, T> score)
    {
        if (pipeline.Precision == Precision.Bf16 && model.ComputeType != ScalarType.BFloat16)
        {
            if (BFloat16Replica.InTraining(model) is { } training)
            {
                // Between epochs its statistics are the master's already; eval mode leaves them alone.
                training.PullWeights();
                return InEvalMode(training.Model, pipeline, score);
            }
            using var replica = BFloat16Replica.Of(model);
            return InEvalMode(replica.Model, pipeline, score);
        }
        bool wasTraining = model.training;
        model.eval();
        T result;
        using (inference_mode())
            result = score(model);
        if (wasTraining) model.train();
        return result;
    }
}
