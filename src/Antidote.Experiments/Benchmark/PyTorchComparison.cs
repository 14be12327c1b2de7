using System.Globalization;
using System.Text;
using System.Text.Json;
using Antidote.Core;
using Antidote.Core.IO;

namespace Antidote.Experiments.Benchmark;

/// <summary>What tools/pytorch/benchmark.py measured: the same work as <see cref="ThroughputBenchmark"/> in a PyTorch loop.</summary>
/// <param name="Repeats">Timed repetitions behind each median (files from before the script took repeats: 1).</param>
public sealed record PyTorchBenchmark(string Engine, int Threads, string? Machine, IReadOnlyList<PyTorchModelTime> Models, IReadOnlyList<PyTorchDefenseTime> Defenses,
    int Repeats = 1);

public sealed record PyTorchModelTime(string Model, int Width, string Input, double TrainImagesPerSecond, double EvalImagesPerSecond);

public sealed record PyTorchDefenseTime(string Model, int Width, int CleanSamples, double FtSecondsPerEpoch, double D3FixedSecondsPerEpoch, double D3DualSecondsPerEpoch);

/// <summary>
/// `antidote benchmark --compare FILE`: Antidote's times beside PyTorch's for the same work, as ratios of wall time
/// (Antidote's time ÷ PyTorch's: 0.5 means Antidote takes half as long). Only cases both sides measured are compared, and
/// defense epochs only on subsets of the same size.
/// </summary>
public static class PyTorchComparison
{
    private const long MaxFileBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static PyTorchBenchmark Read(string path)
    {
        RegularFile.Check(path, "PyTorch benchmark file");
        if (new FileInfo(path).Length > MaxFileBytes)
            throw new AntidoteException($"{path}: over {MaxFileBytes} bytes; not a benchmark file from tools/pytorch/benchmark.py");
        PyTorchBenchmark? result;
        try
        {
            result = JsonSerializer.Deserialize<PyTorchBenchmark>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new AntidoteException($"{path}: not a benchmark file from tools/pytorch/benchmark.py ({e.Message})");
        }
        if (result?.Models is null || result.Defenses is null || result.Models.Any(m => m?.Model is null) || result.Defenses.Any(d => d?.Model is null))
            throw new AntidoteException($"{path}: not a benchmark file from tools/pytorch/benchmark.py (models and defenses missing)");
        return result;
    }

    /// <summary>A Markdown table: per model, each side's number and the ratio of Antidote's time to PyTorch's.</summary>
    public static string Format(IReadOnlyList<ThroughputBenchmark.ModelThroughput> models, IReadOnlyList<ThroughputBenchmark.DefenseEpochTime> defenses,
        PyTorchBenchmark torch, int repeats)
    {
        var text = new StringBuilder();
        text.AppendLine($"Antidote against {torch.Engine} ({torch.Threads} threads); ratio = Antidote's time / PyTorch's for the same work; " +
                        $"medians of {repeats} (Antidote) and {torch.Repeats} (PyTorch) repetitions");
        text.AppendLine("| model | train img/s (Antidote, PyTorch, ratio) | eval img/s (ratio) | FT s/epoch (ratio) | D3 fixed λ s/epoch (ratio) | D3 dual λ s/epoch (ratio) |");
        text.AppendLine("|---|---|---|---|---|---|");
        int rows = 0;
        foreach (var mine in models)
        {
            var theirs = torch.Models.FirstOrDefault(t => t.Model == mine.Model && t.Width == mine.Width && t.Input == mine.Input);
            if (theirs is null) continue;
            var defense = defenses.FirstOrDefault(d => d.Model == $"{mine.Model} w{mine.Width}");
            var theirDefense = torch.Defenses.FirstOrDefault(d => d.Model == mine.Model && d.Width == mine.Width && d.CleanSamples == defense?.CleanSamples);
            string Epochs(Func<ThroughputBenchmark.DefenseEpochTime, double> ours, Func<PyTorchDefenseTime, double> other) =>
                defense is null || theirDefense is null ? "-" : $"{N(ours(defense), "F2")}, {N(other(theirDefense), "F2")} ({Ratio(ours(defense), other(theirDefense))})";
            text.AppendLine($"| {mine.Model} w{mine.Width} {mine.Input} " +
                            $"| {N(mine.TrainImagesPerSecond, "F0")}, {N(theirs.TrainImagesPerSecond, "F0")} ({Ratio(theirs.TrainImagesPerSecond, mine.TrainImagesPerSecond)}) " +
                            $"| {N(mine.EvalImagesPerSecond, "F0")}, {N(theirs.EvalImagesPerSecond, "F0")} ({Ratio(theirs.EvalImagesPerSecond, mine.EvalImagesPerSecond)}) " +
                            $"| {Epochs(d => d.FtSecondsPerEpoch, d => d.FtSecondsPerEpoch)} " +
                            $"| {Epochs(d => d.D3FixedSecondsPerEpoch, d => d.D3FixedSecondsPerEpoch)} " +
                            $"| {Epochs(d => d.D3DualSecondsPerEpoch, d => d.D3DualSecondsPerEpoch)} |");
            rows++;
        }
        if (rows == 0)
            throw new AntidoteException("the PyTorch benchmark file measured none of the models this benchmark ran (run tools/pytorch/benchmark.py from this version)");
        return text.ToString();
    }

    // For throughputs pass (theirs, ours): time is the inverse of a rate.
    private static string Ratio(double numerator, double denominator) =>
        denominator > 0 && numerator > 0 ? (numerator / denominator).ToString("F2", CultureInfo.InvariantCulture) + "×" : "-";

    private static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
