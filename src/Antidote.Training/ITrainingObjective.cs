using Antidote.Models;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>
/// What one training step minimises, plus the hooks a constrained method needs around the optimizer step
/// (Lightning's manual-optimisation idea, kept to three calls).
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The loss of a normalised, augmented batch; extra per-step numbers go into <paramref name="metrics"/>.</summary>
    Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics);

    /// <summary>Runs after every optimizer step (e.g. D3's projection back onto the norm sphere).</summary>
    void AfterStep();

    /// <summary>Runs after every epoch with the model and the epoch's averaged numbers; may add numbers to the record,
    /// returns false to stop early.</summary>
    bool AfterEpoch(ImageClassifier model, EpochRecord record);
}
