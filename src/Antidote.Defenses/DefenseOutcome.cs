using Antidote.Models;
using Antidote.Training;

namespace Antidote.Defenses;

/// <summary>The defended model, the per-epoch record of how it got there, and numbers the defense reports about itself
/// (D3: "stop_epoch", where its clean-data stopping rule fired, "relative_distance", how far the push got, and after a second
/// attempt "first_relative_distance", "budget_scale" and "attempts").</summary>
public sealed record DefenseOutcome(ImageClassifier Model, IReadOnlyList<EpochRecord> Epochs, IReadOnlyDictionary<string, double>? Facts = null);
