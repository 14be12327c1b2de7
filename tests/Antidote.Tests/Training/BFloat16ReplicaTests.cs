using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Models;
using Antidote.Models.SmallCnn;
using Antidote.Tests.TestKit;
using Antidote.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Tests.Training;

public class BFloat16ReplicaTests
{
    private static ImageClassifier SmallModel() => ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 8, Hidden: 16), 1, 4, 12, 12));

    private static DataPipeline Pipeline(Precision precision) =>
        DataPipeline.For(QuadrantImages.Info(), CPU, augment: false, precision: precision);

    /// <summary>Plain cross-entropy training through the trainer, in the pipeline's precision.</summary>
    private static List<EpochRecord> Train(ImageClassifier model, ImageDataset data, DataPipeline pipeline, TrainingSettings settings) =>
        Trainer.Train(model, data, pipeline, settings, new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "t");

    [Fact]
    public void Training_in_bfloat16_learns_the_task_and_leaves_a_float32_model()
    {
        using var data = QuadrantImages.Create(128, seed: 3);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();

        var records = Train(model, data, pipeline, new TrainingSettings(8, 0.05, 32));

        Assert.True(records[^1].Loss < records[0].Loss / 2, $"loss {records[0].Loss} -> {records[^1].Loss}");
        Assert.True(Evaluator.Accuracy(model, data, pipeline) > 0.9);
        Assert.Equal(ScalarType.Float32, model.ComputeType);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Updates_below_bfloat16_resolution_still_reach_the_float32_master_weights()
    {
        using var data = QuadrantImages.Create(32, seed: 4);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        var before = model.Classifier.weight!.detach().clone();

        // At lr 1e-6 every step moves a weight by far less than bfloat16's spacing (2^-8 of its size): a bfloat16 weight
        // would round each update away; the float32 master keeps it.
        Train(model, data, pipeline, new TrainingSettings(1, 1e-6, 16, Momentum: 0, WeightDecay: 0));

        var moved = (model.Classifier.weight! - before).abs();
        Assert.True(moved.max().item<float>() > 0, "the master weights did not move");
        using var roundTrip = model.Classifier.weight!.to(ScalarType.BFloat16).to(ScalarType.Float32);
        Assert.True(roundTrip.eq(before.to(ScalarType.BFloat16).to(ScalarType.Float32)).all().item<bool>(),
            "the test's premise: in bfloat16 the step is invisible");
    }

    [Fact]
    public void The_copy_computes_in_bfloat16_with_float32_norm_layers_and_gives_float32_logits()
    {
        using var model = SmallModel();
        using var replica = BFloat16Replica.Of(model);

        Assert.Equal(ScalarType.BFloat16, replica.Model.ComputeType);
        Assert.Equal(ScalarType.BFloat16, replica.Model.Classifier.weight!.dtype);
        foreach (var (_, module) in replica.Model.named_modules())
            if (module is BatchNorm2d norm)
            {
                Assert.Equal(ScalarType.Float32, norm.weight!.dtype);
                Assert.Equal(ScalarType.Float32, norm.running_var!.dtype);
            }
        model.eval();
        replica.Model.eval();
        using var x = rand(6, 1, 12, 12);
        using var exact = model.call(x);
        using var approximate = replica.Model.call(x);
        Assert.Equal(ScalarType.Float32, approximate.dtype);
        Assert.True((exact - approximate).abs().max().item<float>() < 0.05f * (exact.abs().max().item<float>() + 1));
    }

    public static TheoryData<string> ModelNames() => new(ModelCatalog.Default.Names);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Every_architecture_runs_forward_and_backward_in_bfloat16_close_to_float32(string name)
    {
        using var model = ModelCatalog.Create(new ModelSpec(Components.Model(name), 3, 5, 32, 32));
        using var replica = BFloat16Replica.Of(model);
        model.eval();
        replica.Model.eval();
        using var x = rand(4, 3, 32, 32);
        using var exact = model.call(x);
        var approximate = replica.Model.call(x);

        Assert.Equal(ScalarType.Float32, approximate.dtype);
        float scale = exact.abs().max().item<float>() + 1e-3f;
        Assert.True((exact - approximate).abs().max().item<float>() < 0.1f * scale, $"{name}: bf16 logits far from float32's");
        approximate.square().sum().backward();
        replica.PushGradients();
        var gradients = model.parameters().Where(p => p.grad is not null).ToList();
        Assert.NotEmpty(gradients);
        Assert.All(gradients, p => Assert.True(p.grad!.dtype == ScalarType.Float32 && p.grad.isfinite().all().item<bool>()));
    }

    [Fact]
    public void The_copy_s_gradients_are_added_to_gradients_the_master_already_has()
    {
        using var model = SmallModel();
        using var replica = BFloat16Replica.Of(model);
        var weight = model.Classifier.weight!;
        // A term computed on the master itself, as D3's distance is.
        weight.sum().backward();
        using var x = rand(4, 1, 12, 12);
        replica.Model.call(x).sum().backward();
        var copyGradient = replica.Model.Classifier.weight!.grad!.to(ScalarType.Float32).clone();

        replica.PushGradients();

        Assert.True(weight.grad!.allclose(copyGradient + 1, rtol: 0, atol: 1e-6));
        Assert.Null(replica.Model.Classifier.weight!.grad);
    }

    [Fact]
    public void Making_a_copy_draws_no_random_numbers()
    {
        using var model = SmallModel();
        manual_seed(5);
        using var expected = rand(3);
        manual_seed(5);
        using (BFloat16Replica.Of(model)) { }
        using var drawn = rand(3);
        Assert.True(expected.eq(drawn).all().item<bool>());
    }

    [Fact]
    public void The_copy_s_batch_norm_statistics_reach_the_master_after_each_epoch()
    {
        using var data = QuadrantImages.Create(32, seed: 6);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        var norm = model.named_modules().Select(m => m.module).OfType<BatchNorm2d>().First();
        Assert.True(norm.running_mean!.eq(0).all().item<bool>());

        Train(model, data, pipeline, new TrainingSettings(1, 0.01, 16));

        Assert.False(norm.running_mean!.eq(0).all().item<bool>());
        Assert.Equal(2, norm.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void The_same_seed_gives_the_same_bfloat16_weights()
    {
        Tensor TrainOnce()
        {
            using var data = QuadrantImages.Create(64, seed: 7);
            using var pipeline = DataPipeline.For(QuadrantImages.Info(), CPU, precision: Precision.Bf16);
            manual_seed(8);
            using var model = SmallModel();
            Train(model, data, pipeline, new TrainingSettings(2, 0.05, 16));
            return model.Classifier.weight!.detach().clone();
        }

        using var first = TrainOnce();
        using var second = TrainOnce();
        Assert.True(first.eq(second).all().item<bool>());
    }

    [Fact]
    public void Bfloat16_steps_do_not_leak_tensors()
    {
        using var data = QuadrantImages.Create(64, seed: 11);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        Train(model, data, pipeline, new TrainingSettings(1, 0.01, 16));
        long afterOne = LiveTensors();
        Train(model, data, pipeline, new TrainingSettings(9, 0.01, 16));
        long afterNine = LiveTensors();
        // 32 more steps (4 per epoch): a tensor kept per step would show as 32 or more.
        Assert.InRange(afterNine - afterOne, -16, 16);
    }

    private sealed class UncheckedObjective : ITrainingObjective
    {
        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) =>
            nn.functional.cross_entropy(model.call(inputs), labels);
    }

    [Fact]
    public void An_objective_not_checked_in_bfloat16_is_refused_before_any_step()
    {
        using var data = QuadrantImages.Create(16, seed: 9);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        var before = model.Classifier.weight!.detach().clone();

        var error = Assert.Throws<AntidoteException>(() => Trainer.Train(model, data, pipeline, new TrainingSettings(1, 0.01, 16),
            new UncheckedObjective(), new Random(0), NullRunLog.Instance, "nad"));

        Assert.Equal("nad: this method's training step does not run in bfloat16 yet; use --precision float32", error.Message);
        Assert.True(model.Classifier.weight!.eq(before).all().item<bool>());
    }

    [Fact]
    public void Bfloat16_evaluation_agrees_with_float32_on_a_trained_model()
    {
        using var data = QuadrantImages.Create(128, seed: 10);
        using var exact = Pipeline(Precision.Float32);
        using var approximate = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        Train(model, data, exact, new TrainingSettings(6, 0.05, 32));

        int[] a = Evaluator.Predict(model, data, exact), b = Evaluator.Predict(model, data, approximate);

        Assert.True(a.Zip(b).Count(p => p.First == p.Second) >= 0.95 * a.Length);
        Assert.InRange(Evaluator.MeanHinge(model, data, approximate, 0.1), 0.5 * Evaluator.MeanHinge(model, data, exact, 0.1) - 0.01,
            2 * Evaluator.MeanHinge(model, data, exact, 0.1) + 0.01);
    }

    /// <summary>Cross-entropy that scores the model between epochs, as D3's clean hinge does, both through the evaluator and
    /// through a copy made for the purpose.</summary>
    private sealed class ScoringObjective(ImageDataset data, DataPipeline pipeline) : ITrainingObjective
    {
        public List<(double Evaluator, double FreshCopy, bool Kept)> Scores { get; } = [];

        public bool RunsInBFloat16 => true;

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) =>
            nn.functional.cross_entropy(model.call(inputs), labels);

        public bool AfterEpoch(ImageClassifier model, EpochRecord record)
        {
            double fresh;
            using (var copy = BFloat16Replica.Of(model))
            using (inference_mode())
            {
                copy.Model.eval();
                var (inputs, labels) = pipeline.EvalBatch(data, [.. Enumerable.Range(0, data.Count).Select(i => (long)i)]);
                using var crossEntropy = nn.functional.cross_entropy(copy.Model.call(inputs), labels, reduction: nn.Reduction.None);
                fresh = nn.functional.relu(crossEntropy - 0.1).sum().item<float>() / data.Count;
            }
            Scores.Add((Evaluator.MeanHinge(model, data, pipeline, 0.1), fresh, BFloat16Replica.InTraining(model) is not null));
            return true;
        }
    }

    [Fact]
    public void Evaluation_between_epochs_scores_through_the_training_copy_and_matches_a_fresh_copy()
    {
        using var data = QuadrantImages.Create(96, seed: 12);
        using var pipeline = Pipeline(Precision.Bf16);
        using var model = SmallModel();
        var objective = new ScoringObjective(data, pipeline);

        Trainer.Train(model, data, pipeline, new TrainingSettings(3, 0.05, 32), objective, new Random(0), NullRunLog.Instance, "t");

        Assert.Equal(3, objective.Scores.Count);
        Assert.All(objective.Scores, s => Assert.True(s.Kept));
        Assert.All(objective.Scores, s => Assert.Equal(s.FreshCopy, s.Evaluator, 6));
        Assert.NotEqual(objective.Scores[0].Evaluator, objective.Scores[2].Evaluator); // the weights moved, and the scores with them
        Assert.Null(BFloat16Replica.InTraining(model)); // the run's copy is gone with the run
    }
}
