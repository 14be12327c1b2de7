using Antidote.Attacks;
using Antidote.Core.Runtime;
using Antidote.Training;

namespace Antidote.Experiments.Runs;

/// <summary>Everything `antidote attack` ran with; saved as the run's config.json.</summary>
/// <param name="Width">Model width; null = the model's default.</param>
/// <param name="TriggerImage">PNG to blend (blended attack; the CLI fills in the default photograph); null = the fixed noise pattern.</param>
/// <param name="EvalEvery">Evaluate ACC/ASR/RA every this many epochs (0 = only at the end).</param>
public sealed record AttackRunConfig(
    string Dataset,
    string Model,
    string Attack,
    AttackSettings Settings,
    TrainingSettings Training,
    long Seed = 0,
    int? Width = null,
    string? DataDirectory = null,
    string? TriggerImage = null,
    int EvalEvery = 1,
    ComputeSettings? Compute = null);
