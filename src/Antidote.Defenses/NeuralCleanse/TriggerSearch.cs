using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// Neural Cleanse's trigger reverse-engineering for one class (Wang et al., S&amp;P 2019; BackdoorBench defense/nc.py): with
/// the model frozen, Adam on a mask and a pattern (tanh-parametrised, initialised at tanh(1)) minimises cross-entropy towards
/// the class plus cost·‖m‖₁ over augmented clean batches; the cost rises while at least 98% reach the class and falls
/// otherwise, and the smallest mask that reached 98% in an epoch is kept.
/// </summary>
public static class TriggerSearch
{
    private const double TanhEpsilon = 1e-7; // BackdoorBench EPSILON

    /// <param name="model">Frozen by the caller (eval mode, no parameter gradients).</param>
    public static ReversedTrigger Run(ImageClassifier model, ImageDataset clean, DataPipeline pipeline, int target,
        TriggerSearchOptions options, Random order, Core.Logging.IRunLog log, CancellationToken cancel)
    {
        long channels = clean.Images.shape[1], height = clean.Images.shape[2], width = clean.Images.shape[3];
        var device = pipeline.Device;
        long maskHeight = options.Mask == TriggerMask.Uniform ? 1 : height, maskWidth = options.Mask == TriggerMask.Uniform ? 1 : width;
        using var maskTanh = new TorchSharp.Modules.Parameter(ones(1, maskHeight, maskWidth, device: device));
        using var patternTanh = new TorchSharp.Modules.Parameter(ones(channels, height, width, device: device));
        using var adam = optim.Adam([maskTanh, patternTanh], options.LearningRate, beta1: 0.5, beta2: 0.9);
        var state = new CostSchedule(options);
        Tensor? bestMask = null, bestPattern = null;
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                double hits = 0, seen = 0, regSum = 0;
                int batches = 0;
                foreach (long[] batch in IndexBatches.Shuffled(clean.Count, options.BatchSize, order))
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var (images, _) = clean.Batch(batch, device);
                    var mask = Squash(maskTanh).expand(1, height, width);
                    var pattern = Squash(patternTanh);
                    var stamped = (1 - mask) * pipeline.Augment(images) + mask * pattern;
                    var logits = model.call(pipeline.Normalize(stamped));
                    var wanted = full(batch.Length, target, ScalarType.Int64, device: device);
                    var regularizer = mask.abs().sum();
                    var loss = nn.functional.cross_entropy(logits, wanted) + state.Cost * regularizer;
                    adam.zero_grad();
                    loss.backward();
                    adam.step();
                    hits += logits.argmax(1).eq(wanted).sum().item<long>();
                    seen += batch.Length;
                    regSum += regularizer.item<float>();
                    batches++;
                }
                double success = hits / seen, reg = regSum / batches;
                if (success >= options.SuccessThreshold && reg < state.BestNorm)
                {
                    Keep(ref bestMask, ref bestPattern, maskTanh, patternTanh, height, width);
                    state.BestNorm = reg;
                }
                bool stop = state.AfterEpoch(success);
                if (bestMask is null) Keep(ref bestMask, ref bestPattern, maskTanh, patternTanh, height, width);
                log.Progress(new Core.Logging.ProgressUpdate($"nc class {target}", epoch, options.Epochs, 1, 1, reg, null));
                // A class takes minutes at the defaults: a plain line now and then, so a log shows the search moving.
                if (epoch % 10 == 0 && !stop)
                    log.Info($"nc class {target}: epoch {epoch}/{options.Epochs} mask L1 {reg:F1} reaching the class {success:P0} cost {state.Cost:G3}");
                if (stop) break;
            }
            return new ReversedTrigger(target, bestMask!, bestPattern!);
        }
        finally
        {
            bestMask?.Dispose();
            bestPattern?.Dispose();
        }
    }

    private static Tensor Squash(Tensor raw) => raw.tanh() / (2 + TanhEpsilon) + 0.5;

    private static void Keep(ref Tensor? mask, ref Tensor? pattern, Tensor maskTanh, Tensor patternTanh, long height, long width)
    {
        mask?.Dispose();
        pattern?.Dispose();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        mask = Squash(maskTanh).expand(1, height, width).detach().clone().DetachFromDisposeScope();
        pattern = Squash(patternTanh).detach().clone().DetachFromDisposeScope();
    }

    /// <summary>BackdoorBench's Recorder: the cost schedule and the early stop, epoch by epoch.</summary>
    private sealed class CostSchedule(TriggerSearchOptions options)
    {
        private readonly double _down = Math.Pow(options.CostMultiplier, 1.5);
        private int _setCount, _upCount, _downCount, _earlyStopCount;
        private bool _wentUp, _wentDown;
        private double _earlyStopBest = double.PositiveInfinity;

        public double Cost { get; private set; } = options.InitialCost;

        public double BestNorm { get; set; } = double.PositiveInfinity;

        /// <summary>Moves the cost after an epoch that sent <paramref name="success"/> of the images to the class; true = stop.</summary>
        public bool AfterEpoch(double success)
        {
            if (!double.IsPositiveInfinity(BestNorm))
                _earlyStopCount = BestNorm >= options.EarlyStopThreshold * _earlyStopBest ? _earlyStopCount + 1 : 0;
            _earlyStopBest = Math.Min(_earlyStopBest, BestNorm);
            if (_wentUp && _wentDown && _earlyStopCount >= options.EarlyStopPatience)
                return true;

            bool reached = success >= options.SuccessThreshold;
            if (Cost == 0 && reached)
            {
                if (++_setCount >= options.Patience)
                {
                    Cost = options.InitialCost;
                    _upCount = _downCount = 0;
                    _wentUp = _wentDown = false;
                }
            }
            else _setCount = 0;
            if (reached) { _upCount++; _downCount = 0; }
            else { _upCount = 0; _downCount++; }
            if (_upCount >= options.Patience)
            {
                _upCount = 0;
                Cost *= options.CostMultiplier;
                _wentUp = true;
            }
            else if (_downCount >= options.Patience)
            {
                _downCount = 0;
                Cost /= _down;
                _wentDown = true;
            }
            return false;
        }
    }
}
