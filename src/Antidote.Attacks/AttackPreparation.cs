using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Attacks;

/// <summary>What an attack may use to prepare: the clean training set, a fresh model of the victim's architecture, the data
/// pipeline (device, augmentation, normalisation), the run's seed, its log and its cancellation.</summary>
/// <param name="CacheFolder">Where clean models an attack trains are kept for the next run that asks for the same one
/// (<see cref="CleanModels.CleanModels"/>); null = train every time.</param>
public sealed record AttackPreparation(
    ImageDataset CleanTrain,
    Func<ImageClassifier> CreateModel,
    DataPipeline Pipeline,
    long Seed,
    IRunLog Log,
    CancellationToken Cancel = default,
    string? CacheFolder = null);
