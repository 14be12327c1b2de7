using Antidote.Core.Runtime;

namespace Antidote.Experiments.Sweeps;

/// <summary>A D3 sensitivity sweep: one backdoored model per (model, attack), every variant with every defense seed.</summary>
/// <param name="Widths">Model width per model name; models not listed use their default.</param>
/// <param name="MaxAsr">A cell passes when every seed ends at ASR ≤ this …</param>
/// <param name="MaxAccuracyDrop">… and loses at most this much ACC (fractions; issue 3: 0.05 and 0.02).</param>
public sealed record SweepSettings(
    string Out,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> Attacks,
    IReadOnlyList<D3Variant> Variants,
    IReadOnlyList<long> Seeds,
    string Dataset = "fashion-mnist",
    string? DataDirectory = null,
    IReadOnlyDictionary<string, int>? Widths = null,
    int AttackEpochs = 10,
    double CleanRatio = 0.05,
    double MaxAsr = 0.05,
    double MaxAccuracyDrop = 0.02,
    ComputeSettings? Compute = null);
