using Antidote.Models;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>
/// What training minimises and how a step is taken. The defaults are plain supervised training (SGD with BackdoorBench's
/// cosine schedule, one forward/backward pass per step); a method overrides only what it needs: its own optimizers and
/// schedule, a step of several passes or two optimizers (FT-SAM, i-BAU), per-batch changes to the data before it is used
/// (WaNet's per-batch poisoning), hooks after the step (D3's projection) and after the epoch (D3's λ rule).
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The optimizers and schedules of a run of <paramref name="epochs"/> epochs (owned and disposed by the trainer).</summary>
    TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs) =>
        TrainingOptimizers.SgdCosine(model, settings, epochs);

    /// <summary>Sees each batch as it leaves the dataset (images in [0, 1], before augmentation and normalisation), with the
    /// dataset rows it holds; returns the batch to train on. Tensors belong to the step's dispose scope.</summary>
    (Tensor Images, Tensor Labels) PrepareBatch(Tensor images, Tensor labels, long[] rows) => (images, labels);

    /// <summary>True when <see cref="PrepareBatch"/> returns images already augmented the objective's own way (WaNet's and
    /// BPP's post-poisoning augmentation): the trainer then only normalises them instead of applying the pipeline's.</summary>
    bool AugmentsBatch => false;

    /// <summary>One optimisation step on a normalised, augmented batch; returns the step's loss for the log.</summary>
    float Step(ImageClassifier model, Tensor inputs, Tensor labels, TrainingOptimizers optimizers, StepMetrics metrics)
    {
        optimizers.ZeroGrad();
        var loss = Loss(model, inputs, labels, metrics);
        loss.backward();
        optimizers.Step();
        AfterStep();
        return loss.item<float>();
    }

    /// <summary>The loss of a batch; extra per-step numbers go into <paramref name="metrics"/>.</summary>
    Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics);

    /// <summary>True when the step can run on the bfloat16 copy the trainer hands it under <c>--precision bf16</c>: its passes go
    /// through the model it is given, its gradients reach the master weights through <see cref="TrainingOptimizers.Step"/>,
    /// and anything it reads or changes between steps is the master's (<see cref="BFloat16Replica"/>). False unless a method
    /// was checked for it.</summary>
    bool RunsInBFloat16 => false;

    /// <summary>Runs after every optimizer step of the default <see cref="Step"/> (e.g. D3's projection back onto the norm sphere).</summary>
    void AfterStep() { }

    /// <summary>Runs after every epoch with the model and the epoch's averaged numbers; may add numbers to the record,
    /// returns false to stop early.</summary>
    bool AfterEpoch(ImageClassifier model, EpochRecord record) => true;
}
