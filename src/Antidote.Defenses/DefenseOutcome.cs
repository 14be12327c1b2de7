using Antidote.Models;
using Antidote.Training;

namespace Antidote.Defenses;

/// <summary>The defended model, the per-epoch record of how it got there, and numbers the defense reports about itself
/// (D3: "stop_epoch", where its clean-data stopping rule fired, and "relative_distance", how far the push got).</summary>
public sealed record DefenseOutcome(ImageClassifier Model, IReadOnlyList<EpochRecord> Epochs, IReadOnlyDictionary<string, double>? Facts = null);
