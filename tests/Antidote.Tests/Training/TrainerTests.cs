using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Models;
using Antidote.Tests.TestKit;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.Training;

public class TrainerTests
{
    /// <summary>Cross-entropy whose loss turns NaN from the given step on, like a run whose learning rate is too high.</summary>
    private sealed class DivergingObjective(int fromStep) : ITrainingObjective
    {
        private readonly CrossEntropyObjective _inner = new();
        private int _steps;

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            var loss = _inner.Loss(model, inputs, labels, metrics);
            return ++_steps >= fromStep ? loss * float.NaN : loss;
        }

        public void AfterStep() { }

        public bool AfterEpoch(ImageClassifier model, EpochRecord record) => true;
    }

    [Fact]
    public void A_diverged_loss_stops_training_with_a_clear_error_naming_stage_and_epoch()
    {
        using var data = QuadrantImages.Create(64, seed: 1);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec("small-cnn", 1, 4, 12, 12, 8));
        int epochsSeen = 0;

        // 64 images in batches of 16: four steps per epoch, so step 6 is the second step of epoch 2.
        var error = Assert.Throws<AntidoteException>(() => Trainer.Train(model, data, pipeline,
            new TrainingSettings(5, 0.01, 16), new DivergingObjective(fromStep: 6), new Random(0), NullRunLog.Instance, "d3",
            onEpoch: _ => epochsSeen++));

        Assert.Contains("d3: training diverged at epoch 2, step 2", error.Message);
        Assert.Equal(1, epochsSeen);
    }
}
