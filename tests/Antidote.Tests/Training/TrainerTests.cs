using Antidote.Models.SmallCnn;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Models;
using Antidote.Tests.TestKit;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.Training;

public class TrainerTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

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
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 8), 1, 4, 12, 12));
        int epochsSeen = 0;

        // 64 images in batches of 16: four steps per epoch, so step 6 is the second step of epoch 2.
        var error = Assert.Throws<AntidoteException>(() => Trainer.Train(model, data, pipeline,
            new TrainingSettings(5, 0.01, 16), new DivergingObjective(fromStep: 6), new Random(0), NullRunLog.Instance, "d3",
            onEpoch: _ => epochsSeen++));

        Assert.Contains("d3: training diverged at epoch 2, step 2", error.Message);
        Assert.Contains("weights before this step were finite, so the learning rate is not the cause", error.Message);
        Assert.Equal(1, epochsSeen);
    }

    /// <summary>Plain training whose update leaves one weight infinite from the given step on, like a gradient that overflowed.</summary>
    private sealed class OverflowingUpdate(int fromStep) : ITrainingObjective
    {
        private int _steps;

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) =>
            nn.functional.cross_entropy(model.call(inputs), labels);

        public void AfterStep()
        {
            if (++_steps < fromStep) return;
            using var noGrad = no_grad();
            Model!.Classifier.weight![0, 0] = float.PositiveInfinity;
        }

        public ImageClassifier? Model { get; set; }
    }

    [Fact]
    public void An_update_that_breaks_the_weights_from_a_finite_loss_is_reported_as_a_step_size_problem_at_that_step()
    {
        using var data = QuadrantImages.Create(64, seed: 1);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 8), 1, 4, 12, 12));

        var error = Assert.Throws<AntidoteException>(() => Trainer.Train(model, data, pipeline,
            new TrainingSettings(5, 0.01, 16), new OverflowingUpdate(fromStep: 3) { Model = model }, new Random(0), NullRunLog.Instance, "attack"));

        Assert.Contains("attack: training diverged at epoch 1, step 3: the update made the weights non-finite from a finite loss", error.Message);
        Assert.Contains("try a lower learning rate", error.Message);
    }

    [Fact]
    public void A_step_floor_lengthens_a_short_schedule_and_the_cosine_anneals_over_the_epochs_actually_run()
    {
        using var data = QuadrantImages.Create(32, seed: 2);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));

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
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));

        var records = Trainer.Train(model, data, pipeline, TrainingSettings.BackdoorBenchAttack(3) with { BatchSize = 16 },
            new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "attack");

        Assert.Equal(0.01 * (1 + Math.Cos(Math.PI * 2 / 100)) / 2, records[2].LearningRate, 1e-7);
    }

    /// <summary>Records the inputs of every step; <see cref="AugmentsBatch"/> as given.</summary>
    private sealed class RecordingObjective(bool augmentsBatch) : ITrainingObjective
    {
        public List<Tensor> Inputs { get; } = [];

        public bool AugmentsBatch => augmentsBatch;

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            Inputs.Add(inputs.detach().clone().DetachFromDisposeScope());
            return nn.functional.cross_entropy(model.call(inputs), labels);
        }
    }

    [Fact]
    public void An_objective_that_augments_its_own_batches_gets_them_normalised_but_not_augmented_again()
    {
        using var data = QuadrantImages.Create(16, seed: 2);
        var info = QuadrantImages.Info() with { CropPadding = 4, HorizontalFlip = true };
        using var pipeline = DataPipeline.For(info, CPU);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        manual_seed(0);
        var own = new RecordingObjective(augmentsBatch: true);
        var plain = new RecordingObjective(augmentsBatch: false);
        Trainer.Train(model, data, pipeline, new TrainingSettings(1, 0.0, 16), own, new Random(0), NullRunLog.Instance, "t");
        Trainer.Train(model, data, pipeline, new TrainingSettings(1, 0.0, 16), plain, new Random(0), NullRunLog.Instance, "t");
        var rows = IndexBatchesOf(16, new Random(0));
        var expected = pipeline.Normalize(data.Images.index_select(0, tensor(rows)));
        Assert.True(Same(own.Inputs[0], expected), "normalised only");
        Assert.False(Same(plain.Inputs[0], expected), "the pipeline's crop and flip ran");
    }

    private static long[] IndexBatchesOf(int count, Random order) => Antidote.Data.Batching.IndexBatches.Shuffled(count, count, order).First();

    /// <summary>An objective that takes over everything the step contract offers: its own optimizer and schedule, a step of
    /// two forward/backward passes, and a look at every batch before it is used.</summary>
    private sealed class TwoPassObjective : ITrainingObjective
    {
        public List<long> RowsSeen { get; } = [];

        public int Steps { get; private set; }

        public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs)
        {
            var adam = optim.Adam(model.parameters(), 0.003);
            return new TrainingOptimizers([adam], [optim.lr_scheduler.StepLR(adam, 1, 0.5)]);
        }

        public (Tensor Images, Tensor Labels) PrepareBatch(Tensor images, Tensor labels, long[] rows)
        {
            RowsSeen.AddRange(rows);
            return (images, zeros_like(labels)); // every row relabelled to class 0 on the fly
        }

        public float Step(ImageClassifier model, Tensor inputs, Tensor labels, TrainingOptimizers optimizers, StepMetrics metrics)
        {
            Steps++;
            optimizers.ZeroGrad();
            Loss(model, inputs, labels, metrics).backward();
            var second = Loss(model, inputs, labels, metrics);
            second.backward();
            optimizers.Step();
            return second.item<float>();
        }

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) =>
            nn.functional.cross_entropy(model.call(inputs), labels);
    }

    [Fact]
    public void An_objective_can_bring_its_optimizer_take_over_the_step_and_change_each_batch()
    {
        using var data = QuadrantImages.Create(48, seed: 3);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        var objective = new TwoPassObjective();

        var records = Trainer.Train(model, data, pipeline, new TrainingSettings(3, 0.1, 16), objective, new Random(0), NullRunLog.Instance, "custom");

        Assert.Equal(9, objective.Steps);
        Assert.Equal(3, objective.RowsSeen.Count / 48);
        Assert.All(objective.RowsSeen.Chunk(48), epoch => Assert.Equal(Enumerable.Range(0, 48).Select(i => (long)i), epoch.Order()));
        Assert.Equal([0.003, 0.0015, 0.00075], records.Select(r => Math.Round(r.LearningRate, 6)));
        // Trained on labels the batches were changed to: the model now calls everything class 0.
        Assert.All(Evaluator.Predict(model, data, pipeline), p => Assert.Equal(0, p));
    }

    /// <summary>Cross-entropy whose batch preparation and end-of-epoch work take a known minimum time.</summary>
    private sealed class SlowObjective : ITrainingObjective
    {
        public (Tensor Images, Tensor Labels) PrepareBatch(Tensor images, Tensor labels, long[] rows)
        {
            Thread.Sleep(100);
            return (images, labels);
        }

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) =>
            nn.functional.cross_entropy(model.call(inputs), labels);

        public bool AfterEpoch(ImageClassifier model, EpochRecord record)
        {
            Thread.Sleep(300);
            return true;
        }
    }

    [Fact]
    public void The_trainer_says_how_much_of_its_time_went_to_steps_to_making_batches_and_to_the_work_after_each_epoch()
    {
        using var data = QuadrantImages.Create(32, seed: 3);
        using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        var log = new ListRunLog();

        Trainer.Train(model, data, pipeline, new TrainingSettings(2, 0.01, 16), new SlowObjective(), new Random(0), log, "t");

        // 2 epochs of 2 batches: at least 0.4 s making batches and 0.6 s after the epochs.
        var line = Assert.Single(log.Lines, l => l.StartsWith("t took "));
        var match = System.Text.RegularExpressions.Regex.Match(line,
            @"^t took ([\d.]+) s: steps ([\d.]+) s, making batches ([\d.]+) s, after each epoch \(scores, clean-set passes\) ([\d.]+) s$");
        Assert.True(match.Success, line);
        double[] seconds = [.. Enumerable.Range(1, 4).Select(g => double.Parse(match.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.InRange(seconds[2], 0.4, seconds[0]);
        Assert.InRange(seconds[3], 0.6, seconds[0]);
        Assert.InRange(seconds[1], 0, seconds[0]);
        Assert.Equal(seconds[0], seconds[1] + seconds[2] + seconds[3], 0.25); // each rounded to 0.1 s
    }
}
