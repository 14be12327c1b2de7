using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Models;
using Antidote.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Defenses.Anp;

/// <summary>
/// Adversarial Neuron Pruning (Wu and Wang, NeurIPS 2021), as BackdoorBench runs it (defense/anp.py): learn a mask in [0, 1]
/// on every batch-norm neuron so that the model stays accurate on clean data even when the neurons are perturbed
/// adversarially (one sign-gradient step of size ε), then prune the neurons whose mask falls below a threshold by zeroing
/// their batch-norm weight. BackdoorBench keeps the threshold with the lowest poisoned-test ASR; this keeps the largest
/// threshold whose clean accuracy, on rows held out of the defender's subset, stays within the budget.
/// </summary>
public sealed class AnpDefense(AnpOptions options) : IDefense
{
    private const int ReportEvery = 500; // BackdoorBench print_every

    public string Name => "anp";

    public DefenseOutcome Run(DefenseContext context)
    {
        if (!context.Model.modules().Any(m => m is BatchNorm2d))
            throw new AntidoteException($"anp does not apply to {context.Model.GetType().Name}: it has no batch norm neurons to mask");
        Seeds.SeedTorch(context.Seed, "anp");
        using var holdout = CleanHoldout.Split(context.CleanData, options.Holdout, context.Seed, "anp-holdout", "anp");
        var (masks, records) = LearnMasks(context, holdout);

        var model = context.CopyOfModel();
        double unpruned = Evaluator.Accuracy(model, holdout.Held, context.Pipeline);
        double threshold = options.Threshold ?? ChooseThreshold(context, masks, holdout, unpruned);
        int pruned = Prune(model, masks, threshold);
        double accuracy = Evaluator.Accuracy(model, holdout.Held, context.Pipeline);
        context.Log.Info($"anp: threshold {threshold:0.##}{(options.Threshold is null ? " (largest within the held-out budget)" : "")}: " +
                         $"pruned {pruned} of {masks.Count} neurons; held-out clean accuracy {unpruned:P2} → {accuracy:P2} ({holdout.Held.Count} rows)");
        return new DefenseOutcome(model, records, new Dictionary<string, double>
        {
            ["threshold"] = threshold,
            ["pruned_neurons"] = pruned,
            ["holdout_acc_unpruned"] = unpruned,
            ["holdout_acc_pruned"] = accuracy,
        });
    }

    /// <summary>One learnt mask value per batch-norm neuron, by layer path and channel.</summary>
    private sealed record NeuronMask(string Layer, int Channel, double Value);

    private (List<NeuronMask> Masks, List<EpochRecord> Records) LearnMasks(DefenseContext context, CleanHoldout holdout)
    {
        using var noisy = context.CreateModel(channels => new PerturbableBatchNorm2d(channels));
        noisy.load_state_dict(context.Model.state_dict(), strict: false);
        var layers = noisy.named_modules().Where(m => m.module is PerturbableBatchNorm2d)
            .Select(m => (m.name, Norm: (PerturbableBatchNorm2d)m.module)).ToList();
        foreach (var parameter in noisy.parameters()) parameter.requires_grad_(false);
        var maskParameters = layers.Select(l => l.Norm.Mask).ToList();
        var noiseParameters = layers.SelectMany(l => l.Norm.Noise).ToList();
        foreach (var parameter in maskParameters.Concat(noiseParameters)) parameter.requires_grad_(true);
        using var maskOptimizer = optim.SGD(maskParameters, options.MaskLearningRate, momentum: 0.9);
        using var noiseOptimizer = optim.SGD(noiseParameters, options.Eps / options.Steps);
        var rows = Seeds.Stream(context.Seed, "anp-batches");
        var noiseDraws = new Generator((ulong)Seeds.Derive(context.Seed, "anp-noise"));
        void Perturb(bool on) { foreach (var (_, norm) in layers) norm.Perturbed = on; }

        var records = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        double lossSum = 0, correct = 0, seen = 0;
        noisy.train();
        var data = holdout.Learn;
        for (int iteration = 1; iteration <= options.Iterations; iteration++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long[] batch = [.. Enumerable.Range(0, options.BatchSize).Select(_ => (long)rows.Next(data.Count))];
            var (images, labels) = data.Batch(batch, context.Pipeline.Device);
            var inputs = context.Pipeline.TrainInputs(images);

            // Step 1: the perturbation of the neurons that hurts the clean loss most, by sign-gradient ascent from a random start.
            if (options.Eps > 0)
            {
                foreach (var (_, norm) in layers) norm.RandomizeNoise(options.Eps, noiseDraws);
                for (int step = 0; step < options.Steps; step++)
                {
                    noiseOptimizer.zero_grad();
                    Perturb(true);
                    (-nn.functional.cross_entropy(noisy.call(inputs), labels)).backward();
                    using (no_grad())
                        foreach (var noise in noiseParameters) noise.grad!.sign_();
                    noiseOptimizer.step();
                }
            }
            // Step 2: masks that keep both the perturbed and the natural model accurate.
            maskOptimizer.zero_grad();
            Tensor robust = zeros(1);
            if (options.Eps > 0)
            {
                Perturb(true);
                robust = nn.functional.cross_entropy(noisy.call(inputs), labels);
            }
            Perturb(false);
            var logits = noisy.call(inputs);
            var loss = options.Alpha * nn.functional.cross_entropy(logits, labels) + (1 - options.Alpha) * robust;
            loss.backward();
            maskOptimizer.step();
            using (no_grad())
                foreach (var mask in maskParameters) mask.clamp_(0, 1);

            float value = loss.item<float>();
            if (!float.IsFinite(value))
                throw new AntidoteException($"anp: the mask loss turned {value} at iteration {iteration}");
            lossSum += value * batch.Length;
            correct += logits.argmax(1).eq(labels).sum().item<long>();
            seen += batch.Length;
            context.Log.Progress(new ProgressUpdate("anp", 1, 1, iteration, options.Iterations, lossSum / seen,
                TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / iteration * (options.Iterations - iteration))));
            if (iteration % ReportEvery == 0 || iteration == options.Iterations)
            {
                var record = new EpochRecord(records.Count + 1, lossSum / seen, options.MaskLearningRate, window.Elapsed.TotalSeconds,
                    new Dictionary<string, double> { ["train_acc"] = correct / seen, ["iteration"] = iteration });
                records.Add(record);
                context.Log.Info($"anp iteration {iteration}/{options.Iterations} loss {record.Loss:F4} train_acc {correct / seen:G4} ({window.Elapsed.TotalSeconds:F1}s)");
                lossSum = correct = seen = 0;
                window.Restart();
            }
        }
        var masks = layers.SelectMany(l => l.Norm.Mask.detach().to(CPU).data<float>().ToArray()
            .Select((v, c) => new NeuronMask(l.name, c, v))).ToList();
        return (masks, records);
    }

    /// <summary>The largest threshold tried whose pruning keeps held-out clean accuracy within the budget (0 if none does).</summary>
    private double ChooseThreshold(DefenseContext context, List<NeuronMask> masks, CleanHoldout holdout, double unpruned)
    {
        double chosen = 0;
        using var trial = context.CopyOfModel();
        int count = (int)Math.Round(options.PruningMax / options.PruningStep);
        for (int i = 0; i <= count; i++)
        {
            double threshold = i * options.PruningStep;
            int pruned = Prune(trial, masks, threshold);
            double accuracy = Evaluator.Accuracy(trial, holdout.Held, context.Pipeline);
            bool within = (unpruned - accuracy) / Math.Max(unpruned, 1e-12) < options.AccuracyDrop;
            context.Log.Info($"anp: threshold {threshold:0.00}: {pruned} neurons pruned, held-out clean accuracy {accuracy:P2}{(within ? "" : " (over budget)")}");
            if (within) chosen = threshold;
        }
        return chosen;
    }

    /// <summary>Zeroes the batch-norm weight of every neuron whose mask is at most <paramref name="threshold"/> (BackdoorBench's
    /// <c>pruning</c>); returns how many that is. Pruning is cumulative, so a model can be pruned at rising thresholds.</summary>
    private static int Prune(ImageClassifier model, List<NeuronMask> masks, double threshold)
    {
        using var noGrad = no_grad();
        int pruned = 0;
        foreach (var group in masks.Where(m => m.Value <= threshold).GroupBy(m => m.Layer))
        {
            var norm = (BatchNorm2d)model.Module(group.Key);
            using var index = tensor(group.Select(m => (long)m.Channel).ToArray(), device: norm.weight!.device);
            norm.weight!.index_fill_(0, index, 0);
            pruned += group.Count();
        }
        return pruned;
    }
}
