using Antidote.Core.Logging;
using Antidote.Data;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Defenses;

/// <summary>
/// Everything a defense may use. Deliberately absent: poisoned data, the trigger, the poison plan.
/// </summary>
/// <param name="Model">The possibly backdoored model; a defense must not modify it.</param>
/// <param name="CleanData">The defender's small clean subset (images in [0, 1]).</param>
/// <param name="ModelFactory">Builds a fresh model of the same architecture on the same device, with the given norm layers
/// (null = the architecture's own); use <see cref="CreateModel"/>.</param>
/// <param name="Pipeline">Device, training augmentation and normalisation for this dataset.</param>
/// <param name="OnEpoch">Called after each epoch with the model so far; the experiment may add test metrics
/// (it sees the test set, the defense does not).</param>
public sealed record DefenseContext(
    ImageClassifier Model,
    ImageDataset CleanData,
    Func<NormLayerFactory?, ImageClassifier> ModelFactory,
    DataPipeline Pipeline,
    long Seed,
    IRunLog Log,
    Action<EpochRecord, ImageClassifier>? OnEpoch = null,
    CancellationToken Cancel = default)
{
    /// <summary>A fresh model of the same architecture; <paramref name="norm"/> substitutes its norm layers (ANP's perturbable
    /// BatchNorm), keeping their parameter names.</summary>
    public ImageClassifier CreateModel(NormLayerFactory? norm = null) => ModelFactory(norm);

    /// <summary>A new model holding a copy of <see cref="Model"/>'s weights and buffers.</summary>
    public ImageClassifier CopyOfModel()
    {
        var copy = CreateModel();
        copy.load_state_dict(Model.state_dict());
        return copy;
    }
}
