using Antidote.Models;
using Antidote.Training;

namespace Antidote.Defenses;

/// <summary>The defended model and the per-epoch record of how it got there.</summary>
public sealed record DefenseOutcome(ImageClassifier Model, IReadOnlyList<EpochRecord> Epochs);
