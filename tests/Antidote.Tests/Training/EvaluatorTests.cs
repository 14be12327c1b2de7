using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Models;
using Antidote.Models.PreActResNet18;
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_clean_hinge_keeps_the_bits_of_one_pass_per_512_rows(bool preActResNet)
    {
        // MeanHinge runs its forward passes 256 rows at a time for speed; D3's λ path (and every D3 number in the README) was
        // measured with one pass per 512 rows. The per-row losses must not depend on the batch, or those numbers move.
        manual_seed(3);
        IModelOptions options = preActResNet ? new PreActResNet18Options(Width: 8) : new SmallCnnOptions();
        using var model = ModelCatalog.Create(new ModelSpec(options, 1, 10, 28, 28));
        var info = new DatasetInfo("noise-28", 1, 28, 28, 10, [0.3f], [0.35f], CropPadding: 0, HorizontalFlip: false);
        using var data = new ImageDataset(rand(1000, 1, 28, 28), randint(0, 10, 1000));
        var pipeline = DataPipeline.For(info, CPU);
        model.eval();
        double sum = 0;
        using (inference_mode())
            foreach (var rows in new[] { (0L, 512L), (512L, 488L) })
            {
                using var scope = NewDisposeScope();
                var (inputs, labels) = pipeline.EvalBatch(data, Enumerable.Range((int)rows.Item1, (int)rows.Item2).Select(i => (long)i).ToArray());
                var crossEntropy = nn.functional.cross_entropy(model.call(inputs), labels, reduction: nn.Reduction.None);
                sum += nn.functional.relu(crossEntropy - 0.1).sum().item<float>();
            }
        Assert.Equal(sum / 1000, Evaluator.MeanHinge(model, data, pipeline, 0.1));
        Assert.Equal(sum / 1000, Evaluator.MeanHinge(model, data, pipeline, 0.1, batchSize: 100));
        Assert.True(sum > 0);
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
