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

    [Fact]
    public void A_step_floor_lengthens_a_short_schedule_and_the_cosine_anneals_over_the_epochs_actually_run()
    {
        using var data = QuadrantImages.Create(32, seed: 2);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec("small-cnn", 1, 4, 12, 12, 4));

        // 32 rows in batches of 16: two steps per epoch, so a floor of 9 steps needs 5 epochs where 2 were asked.
        var records = Trainer.Train(model, data, pipeline, new TrainingSettings(2, 0.1, 16, MinSteps: 9), new CrossEntropyObjective(),
            new Random(0), NullRunLog.Instance, "ft");

        Assert.Equal(5, records.Count);
        Assert.Equal(0.1, records[0].LearningRate, 1e-9);
        Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * 4 / 5)) / 2, records[4].LearningRate, 1e-6);
    }

    [Fact]
    public void BackdoorBench_s_cosine_half_period_of_100_epochs_barely_anneals_a_short_run()
    {
        using var data = QuadrantImages.Create(16, seed: 2);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec("small-cnn", 1, 4, 12, 12, 4));

        var records = Trainer.Train(model, data, pipeline, TrainingSettings.BackdoorBenchAttack(3) with { BatchSize = 16 },
            new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "attack");

        Assert.Equal(0.01 * (1 + Math.Cos(Math.PI * 2 / 100)) / 2, records[2].LearningRate, 1e-7);
    }
}
