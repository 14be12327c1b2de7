using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models;
using Antidote.Models.Structure;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.FinePruning;

/// <summary>
/// Fine-pruning (Liu, Dolan-Gavitt, Garg, RAID 2018), as BackdoorBench runs it (defense/fp.py): rank the last convolutional
/// stage's channels by their mean activation on clean data, prune the least active in steps of 1% while clean accuracy
/// stays within 10% of the unpruned model's, then fine-tune with the pruned channels held at zero. Pruning zeroes the
/// channel's input columns of the first Linear after the stage (<see cref="ChannelGate"/>), as BackdoorBench masks that
/// layer, so the checkpoint keeps its parameter names and shapes. Where BackdoorBench measures that accuracy on the test
/// set, this measures it on clean rows held out of the defender's subset.
/// </summary>
public sealed class FinePruningDefense(FinePruningOptions options) : IDefense
{
    public string Name => "fp";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "fp");
        using var holdout = CleanHoldout.Split(context.CleanData, options.Holdout, context.Seed, "fp-holdout", "fp");
        var model = context.CopyOfModel();
        var gate = model.LastStageGate;
        double[] activation = ChannelActivations(model, gate, holdout.Learn, context.Pipeline);
        int[] quietestFirst = [.. Enumerable.Range(0, gate.Channels).OrderBy(c => activation[c]).ThenBy(c => c)];

        using var original = gate.Linear.weight!.detach().clone();
        using var keep = ones(1, gate.Linear.in_features, device: original.device);
        double unpruned = Evaluator.Accuracy(model, holdout.Held, context.Pipeline);
        int step = Math.Max(1, (int)Math.Ceiling(gate.Channels * options.StepRatio)), pruned = 0;
        double prunedAccuracy = unpruned;
        for (int count = step; count < gate.Channels; count += step)
        {
            Close(keep, gate, quietestFirst[pruned..count]);
            ApplyMask(gate.Linear, original, keep);
            double accuracy = Evaluator.Accuracy(model, holdout.Held, context.Pipeline);
            if ((unpruned - accuracy) / Math.Max(unpruned, 1e-12) >= options.AccuracyDrop)
            {
                Open(keep, gate, quietestFirst[pruned..count]);
                ApplyMask(gate.Linear, original, keep);
                break;
            }
            pruned = count;
            prunedAccuracy = accuracy;
        }
        context.Log.Info($"fp: pruned {pruned} of {gate.Channels} channels entering {gate.LinearPath}; held-out clean accuracy " +
                         $"{unpruned:P2} → {prunedAccuracy:P2} ({holdout.Held.Count} rows, budget {options.AccuracyDrop:P0} of it)");

        var fineTune = options.FineTuneOrDefault;
        var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, fineTune.Settings(), new MaskedFineTuning(gate.Linear, keep),
            Seeds.Stream(context.Seed, "fp-order"), context.Log, "fp", r => context.OnEpoch?.Invoke(r, model), context.Cancel);
        return new DefenseOutcome(model, epochs, new Dictionary<string, double>
        {
            ["pruned_channels"] = pruned,
            ["holdout_acc_unpruned"] = unpruned,
            ["holdout_acc_pruned"] = prunedAccuracy,
        });
    }

    /// <summary>Each channel's mean input to the gate's Linear over the rows (eval mode, no augmentation).</summary>
    internal static double[] ChannelActivations(ImageClassifier model, ChannelGate gate, ImageDataset data, DataPipeline pipeline)
    {
        var sums = new double[gate.Channels];
        bool wasTraining = model.training;
        model.eval();
        Tensor? captured = null;
        var hook = gate.Linear.register_forward_pre_hook((_, input) => { captured = input.detach().clone(); return input; });
        try
        {
            using var noGrad = no_grad();
            foreach (long[] batch in IndexBatches.InOrder(data.Count, 256))
            {
                using var scope = NewDisposeScope();
                var (inputs, _) = pipeline.EvalBatch(data, batch);
                model.call(inputs);
                var perChannel = captured!.reshape(batch.Length, gate.Channels, gate.ColumnsPerChannel).sum([0, 2]).to(CPU).data<float>().ToArray();
                for (int c = 0; c < sums.Length; c++) sums[c] += perChannel[c];
            }
        }
        finally
        {
            hook.remove();
            if (wasTraining) model.train();
        }
        return [.. sums.Select(s => s / ((double)data.Count * gate.ColumnsPerChannel))];
    }

    private static void Close(Tensor keep, ChannelGate gate, IEnumerable<int> channels) => SetColumns(keep, gate, channels, 0);

    private static void Open(Tensor keep, ChannelGate gate, IEnumerable<int> channels) => SetColumns(keep, gate, channels, 1);

    private static void SetColumns(Tensor keep, ChannelGate gate, IEnumerable<int> channels, float value)
    {
        foreach (int c in channels)
            keep[TensorIndex.Colon, TensorIndex.Slice(c * gate.ColumnsPerChannel, (c + 1) * gate.ColumnsPerChannel)] = value;
    }

    private static void ApplyMask(TorchSharp.Modules.Linear linear, Tensor original, Tensor keep)
    {
        using var noGrad = no_grad();
        linear.weight!.copy_(original * keep);
    }

    /// <summary>Cross-entropy fine-tuning that holds the pruned columns at zero after every step (BackdoorBench's
    /// <c>prune.custom_from_mask</c> keeps them out the same way).</summary>
    private sealed class MaskedFineTuning(TorchSharp.Modules.Linear linear, Tensor keep) : ITrainingObjective
    {
        private readonly CrossEntropyObjective _loss = new();

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics) => _loss.Loss(model, inputs, labels, metrics);

        public void AfterStep()
        {
            using var noGrad = no_grad();
            linear.weight!.mul_(keep);
        }
    }
}
