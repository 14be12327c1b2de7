using System.Diagnostics;
using System.Text;
using Antidote.Core.Logging;
using Antidote.Core.Runtime;
using Antidote.Models;
using Antidote.Models.PreActResNet18;
using Antidote.Models.SmallCnn;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Experiments.Benchmark;

/// <summary>
/// `antidote benchmark --step-variants`: the same training step (forward, cross-entropy, backward, SGD) and the same
/// evaluation forward, run the ways this CPU could run them, so a change of default rests on a number anyone can rerun.
/// Each variant changes one thing against Antidote's own way (contiguous float32 tensors, oneDNN on, evaluation at batch
/// <see cref="Evaluator.BatchSize"/> under no_grad, the run's thread count); each number is the median of three timed repetitions.
/// </summary>
public static class StepVariants
{
    public sealed record VariantThroughput(string Model, string Variant, double? TrainImagesPerSecond, double EvalImagesPerSecond);

    private sealed record Variant(string Name, bool ChannelsLast = false, ScalarType DType = ScalarType.Float32, int EvalBatch = Evaluator.BatchSize,
        bool InferenceMode = false, bool OneDnnOff = false, int? Threads = null, bool EvalOnly = false);

    private static readonly Variant[] Variants =
    [
        new($"default (contiguous float32, eval batch {Evaluator.BatchSize}, no_grad)"),
        new("channels-last tensors", ChannelsLast: true),
        new("eval batch 128", EvalBatch: 128, EvalOnly: true),
        new("eval batch 512", EvalBatch: 512, EvalOnly: true),
        new("eval batch 1024", EvalBatch: 1024, EvalOnly: true),
        new("inference mode", InferenceMode: true, EvalOnly: true),
        new("bfloat16 weights and inputs", DType: ScalarType.BFloat16),
        new("bfloat16, channels-last", ChannelsLast: true, DType: ScalarType.BFloat16),
        new("1 thread", Threads: 1),
        new("oneDNN off", OneDnnOff: true),
    ];

    public static List<VariantThroughput> Run(ComputeSettings compute, IRunLog log, int steps = 20, int trainBatch = 128)
    {
        log.Info($"compute: {compute.Apply()}");
        var device = compute.TorchDevice;
        var results = new List<VariantThroughput>();
        foreach (var (name, options) in new (string, IModelOptions)[] { ("small-cnn w32", new SmallCnnOptions()), ("preact-resnet18 w16", new PreActResNet18Options(Width: 16)) })
        {
            var spec = new ModelSpec(options, 1, 10, 28, 28);
            foreach (var variant in Variants)
            {
                VariantThroughput? row = null;
                if (!variant.OneDnnOff)
                    row = Measure(spec, variant, device, steps, trainBatch);
                else if (device.type != DeviceType.CPU || !TorchRuntime.TryRunWithoutOneDnn(() => row = Measure(spec, variant, device, steps, trainBatch)))
                    continue; // oneDNN is a CPU path, and not every libtorch exports its switch
                results.Add(row! with { Model = name });
                log.Info($"{name}, {variant.Name}: " + (row!.TrainImagesPerSecond is double train ? $"train {train:F0} img/s, " : "") + $"eval {row.EvalImagesPerSecond:F0} img/s");
            }
        }
        return results;
    }

    /// <summary>A Markdown table: each variant's images/s and its speed relative to the model's default row (1.20 = 20% faster).</summary>
    public static string Format(IReadOnlyList<VariantThroughput> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | variant | train img/s | × default | eval img/s | × default |");
        text.AppendLine("|---|---|--:|--:|--:|--:|");
        foreach (var row in rows)
        {
            var baseline = rows.First(r => r.Model == row.Model);
            string train = row.TrainImagesPerSecond is double t ? FormattableString.Invariant($"{t:F0} | {t / baseline.TrainImagesPerSecond!.Value:F2}") : "- | -";
            text.AppendLine(FormattableString.Invariant($"| {row.Model} | {row.Variant} | {train} | {row.EvalImagesPerSecond:F0} | {row.EvalImagesPerSecond / baseline.EvalImagesPerSecond:F2} |"));
        }
        return text.ToString();
    }

    private static VariantThroughput Measure(ModelSpec spec, Variant variant, Device device, int steps, int trainBatch)
    {
        int threads = get_num_threads();
        if (variant.Threads is int t) set_num_threads(t);
        try
        {
            using var model = ModelCatalog.Create(spec);
            model.to(device).to(variant.DType);
            if (variant.ChannelsLast)
                foreach (var parameter in model.parameters().Where(p => p.dim() == 4))
                    using (no_grad()) parameter.set_(ToChannelsLast(parameter));
            double? train = variant.EvalOnly ? null : TrainImagesPerSecond(model, variant, device, steps, trainBatch);
            return new VariantThroughput("", variant.Name, train, EvalImagesPerSecond(model, variant, device));
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    /// <summary>The same values in NHWC memory order (strides of torch.channels_last), which TorchSharp 0.107 has no call for.</summary>
    public static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    private static Tensor Inputs(Variant variant, Device device, int count)
    {
        using var scope = NewDisposeScope();
        var x = rand(count, 1, 28, 28, device: device).to(variant.DType);
        return (variant.ChannelsLast ? ToChannelsLast(x) : x).MoveToOuterDisposeScope();
    }

    private static double TrainImagesPerSecond(nn.Module<Tensor, Tensor> model, Variant variant, Device device, int steps, int batch)
    {
        using var inputs = Inputs(variant, device, batch);
        using var labels = randint(0, 10, [batch], dtype: ScalarType.Int64, device: device);
        using var optimizer = optim.SGD(model.parameters(), 0.01, 0.9);
        model.train();
        double Time(int count)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(inputs).to(ScalarType.Float32), labels);
                loss.backward();
                optimizer.step();
                loss.item<float>();
            }
            return clock.Elapsed.TotalSeconds;
        }
        Time(3); // warms up the kernels and the allocator
        return steps * batch / Repeated.Median(3, () => Time(steps));
    }

    private static double EvalImagesPerSecond(nn.Module<Tensor, Tensor> model, Variant variant, Device device)
    {
        const int count = 2048;
        using var inputs = Inputs(variant, device, count);
        model.eval();
        double Time()
        {
            var clock = Stopwatch.StartNew();
            using IDisposable guard = variant.InferenceMode ? inference_mode() : no_grad();
            for (int start = 0; start < count; start += variant.EvalBatch)
            {
                using var scope = NewDisposeScope();
                model.call(inputs.narrow(0, start, Math.Min(variant.EvalBatch, count - start))).argmax(1).cpu().data<long>().ToArray();
            }
            return clock.Elapsed.TotalSeconds;
        }
        Time();
        return count / Repeated.Median(3, Time);
    }
}
