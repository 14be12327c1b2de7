using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Models;
using Antidote.Models.SmallCnn;
using Antidote.Tests.TestKit;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.Training;

public class EvaluatorTests
{
    [Fact]
    public void The_evaluation_batch_size_does_not_change_a_single_prediction()
    {
        // The default batch moved from 512 to 256 for speed; ACC and ASR must not move with it.
        using var fitted = Fitted.Briefly(600, epochs: 2, seed: 4);
        var (data, pipeline, model) = fitted;
        int[] atDefault = Evaluator.Predict(model, data, pipeline);
        Assert.Equal(atDefault, Evaluator.Predict(model, data, pipeline, batchSize: 512));
        Assert.Equal(atDefault, Evaluator.Predict(model, data, pipeline, batchSize: 600));
        Assert.True(atDefault.Distinct().Count() >= 3); // a net that predicted one class would prove nothing
    }

    [Fact]
    public void Inference_mode_gives_the_bits_no_grad_gives()
    {
        using var fitted = Fitted.Briefly(300, epochs: 1, seed: 5);
        var (data, pipeline, model) = fitted;
        model.eval();
        var rows = Enumerable.Range(0, 300).Select(i => (long)i).ToArray();
        float expectedSum = 0;
        long[] expectedPredictions;
        using (no_grad())
        {
            var (inputs, labels) = pipeline.EvalBatch(data, rows);
            var logits = model.call(inputs);
            expectedPredictions = logits.argmax(1).data<long>().ToArray();
            expectedSum = nn.functional.relu(nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None) - 0.0).sum().item<float>();
        }
        Assert.Equal(expectedPredictions.Select(p => (int)p), Evaluator.Predict(model, data, pipeline, batchSize: 300));
        Assert.Equal((double)expectedSum / 300, Evaluator.MeanHinge(model, data, pipeline, 0.0, batchSize: 300));
        Assert.True(expectedSum > 0);
    }

    /// <summary>A small CNN trained briefly on quadrant images: it predicts several classes, not all of them right.</summary>
    private sealed record Fitted(ImageDataset Data, DataPipeline Pipeline, ImageClassifier Model) : IDisposable
    {
        public static Fitted Briefly(int count, int epochs, int seed)
        {
            var data = QuadrantImages.Create(count, seed: seed);
            manual_seed(seed);
            var fitted = new Fitted(data, DataPipeline.For(QuadrantImages.Info(), CPU),
                ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 8, Hidden: 16), 1, 4, 12, 12)));
            Trainer.Train(fitted.Model, fitted.Data, fitted.Pipeline, new TrainingSettings(epochs, 0.05, 32), new CrossEntropyObjective(),
                new Random(0), NullRunLog.Instance, "fit");
            return fitted;
        }

        public void Dispose()
        {
            Model.Dispose();
            Pipeline.Dispose();
            Data.Dispose();
        }
    }
}
