using Antidote.Core.Logging;
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
        using var data = QuadrantImages.Create(600, seed: 4);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        manual_seed(4);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 8, Hidden: 16), 1, 4, 12, 12));
        Trainer.Train(model, data, pipeline, new TrainingSettings(2, 0.05, 32), new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "fit");
        int[] atDefault = Evaluator.Predict(model, data, pipeline);
        Assert.Equal(atDefault, Evaluator.Predict(model, data, pipeline, batchSize: 512));
        Assert.Equal(atDefault, Evaluator.Predict(model, data, pipeline, batchSize: 600));
        Assert.True(atDefault.Distinct().Count() >= 3); // a net that predicted one class would prove nothing
    }
}
