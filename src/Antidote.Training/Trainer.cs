using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>
/// The one training loop: shuffled batches by index, one dispose scope per step; the objective chooses the optimizers and
/// takes each step (<see cref="ITrainingObjective"/>). Short and explicit on purpose (nanoGPT's train.py).
/// </summary>
public static class Trainer
{
    /// <param name="order">The stream that shuffles batches (derive it from the run seed).</param>
    /// <param name="onEpoch">Called after each epoch, e.g. to add test metrics to the record before it is logged.</param>
    public static List<EpochRecord> Train(
        ImageClassifier model, ImageDataset data, DataPipeline pipeline, TrainingSettings settings,
        ITrainingObjective objective, Random order, IRunLog log, string stage,
        Action<EpochRecord>? onEpoch = null, CancellationToken cancel = default)
    {
        int totalEpochs = settings.EpochsFor(data.Count);
        bool mixed = pipeline.Precision == Precision.Bf16;
        if (mixed && !objective.RunsInBFloat16)
            throw new AntidoteException($"{stage}: this method's training step does not run in bfloat16 yet; use --precision float32");
        using var optimizers = objective.CreateOptimizers(model, settings, totalEpochs);
        // Under bfloat16 the passes run on a copy and the optimizers step this model's float32 weights (BFloat16Replica).
        using var replica = mixed ? BFloat16Replica.ForTraining(model) : null;
        var stepModel = replica?.Model ?? model;
        if (replica is not null) optimizers.BeforeStep = replica.PushGradients;
        int steps = IndexBatches.Count(data.Count, settings.BatchSize);
        var records = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        // Where the time goes, logged once at the end: making batches (indexing, poisoning, augmentation), what runs after
        // each epoch (a clean-set pass, test scores), and the rest, the steps.
        var batchTime = TimeSpan.Zero;
        var betweenEpochs = TimeSpan.Zero;
        for (int epoch = 1; epoch <= totalEpochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            double learningRate = optimizers.LearningRate;
            SetTrainMode(model, settings.FreezeBatchNorm);
            if (replica is not null) SetTrainMode(stepModel, settings.FreezeBatchNorm);
            var metrics = new StepMetrics();
            int step = 0;
            foreach (long[] batch in IndexBatches.Shuffled(data.Count, settings.BatchSize, order))
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long batchStart = Stopwatch.GetTimestamp();
                var (rawImages, rawLabels) = data.Batch(batch, pipeline.Device);
                var (images, labels) = objective.PrepareBatch(rawImages, rawLabels, batch);
                var inputs = objective.AugmentsBatch ? pipeline.Normalize(images) : pipeline.TrainInputs(images);
                batchTime += Stopwatch.GetElapsedTime(batchStart);
                replica?.PullWeights();
                float stepLoss = objective.Step(stepModel, inputs, labels, optimizers, metrics);
                // A diverged run would otherwise train on NaN to the last epoch and save NaN weights. The weights are checked
                // after every step, so a failure says which of the two it was: a loss that is not finite from weights that
                // were (the data or a kernel), or an update that broke the weights from a finite loss (the step size).
                if (!float.IsFinite(stepLoss))
                    throw new AntidoteException($"{stage}: training diverged at epoch {epoch}, step {step + 1}: the loss is {stepLoss} " +
                                                "although the weights before this step were finite, so the learning rate is not the cause; " +
                                                "a non-finite input or a faulty kernel is (`antidote doctor` checks this machine's convolutions)");
                if (!ParametersFinite(model))
                    throw new AntidoteException($"{stage}: training diverged at epoch {epoch}, step {step + 1}: the update made the weights " +
                                                $"non-finite from a finite loss ({stepLoss:G4}); the gradients overflowed: try a lower learning rate");
                metrics.Add("loss", stepLoss, batch.Length);
                step++;
                double done = (epoch - 1) * steps + step, total = totalEpochs * steps;
                log.Progress(new ProgressUpdate(stage, epoch, totalEpochs, step, steps, metrics.Means()["loss"],
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (total - done))));
            }
            optimizers.EndEpoch();
            replica?.PushStatistics();
            var means = new Dictionary<string, double>(metrics.Means());
            double meanLoss = means["loss"];
            means.Remove("loss");
            var record = new EpochRecord(epoch, meanLoss, learningRate, epochClock.Elapsed.TotalSeconds, means);
            long afterStart = Stopwatch.GetTimestamp();
            bool keepGoing = objective.AfterEpoch(model, record);
            onEpoch?.Invoke(record);
            betweenEpochs += Stopwatch.GetElapsedTime(afterStart);
            records.Add(record);
            var remaining = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / epoch * (totalEpochs - epoch));
            log.Info($"{stage} epoch {epoch}/{totalEpochs} loss {meanLoss:F4} lr {learningRate:G3} " +
                     string.Join(" ", record.Values.Select(kv => $"{kv.Key} {kv.Value:G4}")) + $" ({record.Seconds:F1}s, eta {remaining:hh\\:mm\\:ss})");
            if (!keepGoing)
                break;
        }
        model.eval();
        var elapsed = clock.Elapsed;
        log.Info($"{stage} took {elapsed.TotalSeconds:F1} s: steps {(elapsed - batchTime - betweenEpochs).TotalSeconds:F1} s, " +
                 $"making batches {batchTime.TotalSeconds:F1} s, after each epoch (scores, clean-set passes) {betweenEpochs.TotalSeconds:F1} s");
        return records;
    }

    private static bool ParametersFinite(ImageClassifier model)
    {
        using var scope = NewDisposeScope();
        return stack(model.parameters().Select(p => p.isfinite().all()).ToArray()).all().item<bool>();
    }

    private static void SetTrainMode(ImageClassifier model, bool freezeBatchNorm)
    {
        model.train();
        if (!freezeBatchNorm) return;
        foreach (var (_, module) in model.named_modules())
            if (module is BatchNorm2d or BatchNorm1d)
                module.eval();
    }
}
