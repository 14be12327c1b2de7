using Antidote.Models;
using Antidote.Training;

namespace Antidote.Defenses;

/// <summary>The defended model, the per-epoch record of how it got there, and the epoch at which the
/// defense's own clean-data stopping rule fired (null if it has none or it never fired).</summary>
public sealed record DefenseOutcome(ImageClassifier Model, IReadOnlyList<EpochRecord> Epochs, int? StopEpoch = null);
