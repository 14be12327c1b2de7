using System.Diagnostics;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;
using Antidote.Models;
using Antidote.Models.PreActResNet18;
using Antidote.Models.SmallCnn;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Experiments.Benchmark;

/// <summary>
/// `antidote benchmark`: training images/s of each model, and D3's time per epoch against FT's on the same
/// clean subset. Synthetic data of the real shapes: throughput does not depend on pixel values. Every number is the median
/// of <c>repeats</c> timed repetitions.
/// </summary>
public static class ThroughputBenchmark
{
    public sealed record ModelThroughput(string Model, string Input, int Width, int BatchSize, double TrainImagesPerSecond, double EvalImagesPerSecond);

    /// <summary>Marginal seconds per epoch (setup such as dual mode's reference fine-tuning excluded), per-epoch checks included.</summary>
    public sealed record DefenseEpochTime(string Model, int CleanSamples, double FtSecondsPerEpoch, double D3FixedSecondsPerEpoch, double D3DualSecondsPerEpoch);

    public static (List<ModelThroughput> Models, List<DefenseEpochTime> Defenses) Run(ComputeSettings compute, IRunLog log, int steps = 20, int cleanSamples = 3000, int repeats = 3)
    {
        log.Info($"compute: {compute.Apply()}");
        var device = compute.TorchDevice;
        var cases = new (IModelOptions Model, DatasetInfo Info, int Width)[]
        {
            (new SmallCnnOptions(Width: 32), Shape(1, 28), 32),
            (new PreActResNet18Options(Width: 16), Shape(1, 28), 16),
            (new PreActResNet18Options(Width: 64), Shape(3, 32), 64),
        };
        var models = new List<ModelThroughput>();
        var defenses = new List<DefenseEpochTime>();
        foreach (var (options, info, width) in cases)
        {
            string name = ModelCatalog.NameOf(options);
            const int batch = 128;
            using var data = Synthetic(info, batch * 4);
            using var pipeline = DataPipeline.For(info, device, precision: compute.Precision);
            var spec = new ModelSpec(options, info.Channels, info.Classes, info.Height, info.Width);
            using var model = ModelCatalog.Create(spec);
            model.to(device);
            var settings = new TrainingSettings(1, 0.01, batch);
            // One untimed epoch warms up libtorch's kernels and allocator.
            Trainer.Train(model, data, pipeline, settings, new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "warmup");
            int epochs = Math.Max(1, steps / 4);
            double train = epochs * data.Count / Repeated.Median(repeats, () => Seconds(() =>
                Trainer.Train(model, data, pipeline, settings with { Epochs = epochs }, new CrossEntropyObjective(), new Random(0), NullRunLog.Instance, "bench")));
            double eval = data.Count / Repeated.Median(repeats, () => Seconds(() => Evaluator.Predict(model, data, pipeline)));
            string input = $"{info.Channels}x{info.Height}x{info.Width}";
            models.Add(new ModelThroughput(name, input, width, batch, train, eval));
            log.Info($"{name} (width {width}, {input}, batch {batch}): train {train:F0} img/s, eval {eval:F0} img/s");

            if (info.Height != 28) continue;
            // D3 vs FT on a defender's subset, by default the size of 5% of Fashion-MNIST.
            using var clean = Synthetic(info, cleanSamples);
            var context = new DefenseContext(model, clean, norm => { var m = ModelCatalog.Create(spec, norm); m.to(device); return m; }, pipeline, 0, NullRunLog.Instance);
            double ft = Repeated.Median(repeats, () => SecondsPerEpoch(e => new FineTuningDefense(new FineTuningOptions(Epochs: e)), context));
            double fixedD3 = Repeated.Median(repeats, () => SecondsPerEpoch(e => new D3Defense(new D3Options(Epochs: e, MinSteps: 0, LambdaMode: LambdaMode.Fixed)), context));
            // Per epoch: the survival check's scans are a cost per run, not per epoch, so it is off here.
            double dualD3 = Repeated.Median(repeats, () => SecondsPerEpoch(e => new D3Defense(new D3Options(Epochs: e, MinSteps: 0, LambdaMode: LambdaMode.Dual, Survival: new SurvivalCheckOptions(Check: false))), context));
            defenses.Add(new DefenseEpochTime($"{name} w{width}", clean.Count, ft, fixedD3, dualD3));
            log.Info($"{name} (width {width}) on {clean.Count} clean samples: FT {ft:F2} s/epoch, D3 fixed λ {fixedD3:F2} s/epoch ({fixedD3 / ft:F2}x), " +
                     $"D3 dual λ {dualD3:F2} s/epoch ({dualD3 / ft:F2}x)");
        }
        return (models, defenses);
    }

    /// <summary>(time of a 6-epoch run − time of a 2-epoch run) / 4: what one more epoch costs, setup excluded.</summary>
    private static double SecondsPerEpoch(Func<int, IDefense> defense, DefenseContext context)
    {
        double Time(int epochs) => Seconds(() => defense(epochs).Run(context).Model.Dispose());
        return (Time(6) - Time(2)) / 4;
    }

    private static double Seconds(Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        return clock.Elapsed.TotalSeconds;
    }

    private static DatasetInfo Shape(int channels, int side) =>
        new($"synthetic-{channels}x{side}", channels, side, side, 10, Enumerable.Repeat(0.5f, channels).ToArray(),
            Enumerable.Repeat(0.25f, channels).ToArray(), CropPadding: 4, HorizontalFlip: channels == 3);

    private static ImageDataset Synthetic(DatasetInfo info, int count)
    {
        using var scope = NewDisposeScope();
        return new ImageDataset(rand(count, info.Channels, info.Height, info.Width), randint(0, info.Classes, [count], dtype: ScalarType.Int64));
    }
}
