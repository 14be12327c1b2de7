using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Defenses.D3;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.Fst;

/// <summary>FST as its authors' code runs it (AISafety-HKUST/stable_backdoor_purification, fine_tune/ft.py).</summary>
public sealed record FstOptions(
    [Description("Epochs (no default in ft.py; its README example: 10)")]
    int Epochs = 10,
    [Description("SGD learning rate, momentum 0.9, no weight decay, cosine over the epochs (no default in ft.py; README example: 0.01)")]
    double LearningRate = 0.01,
    [Description("Batch size (ft.py L67: 128)")]
    int BatchSize = 128,
    [Description("Weight α of the inner product between the head and its initial weights (ft.py L83: 0.2; the README's example uses 0.1, and advises a small or zero α on CIFAR-100 and Tiny-ImageNet)")]
    double Alpha = 0.2,
    [Description("Floor on SGD steps: a small clean set runs more epochs (0 = epochs only)")]
    int MinSteps = 0) : IDefenseOptions
{
    public TrainingSettings Settings() => new(Epochs, LearningRate, BatchSize, WeightDecay: 0, MinSteps: MinSteps);

    public void Validate()
    {
        OptionCheck.Positive(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.NotNegative(nameof(Alpha), Alpha);
        OptionCheck.NotNegative(nameof(MinSteps), MinSteps);
    }
}

/// <summary>
/// Feature Shift Tuning (Min et al., NeurIPS 2023): the classifier head is re-initialised (uniform in ±1/√fan-in, bias too),
/// every layer fine-tunes on the clean subset with cross-entropy plus α·⟨W, W0⟩ (W the head, W0 the backdoored head), and after
/// every step the head goes back onto the sphere of W0's norm. Like D3 it pushes weights away from where they were; it
/// shares D3's <see cref="SelectedWeights"/> for the head, its initial copy, the inner product and the projection.
/// </summary>
public sealed class FstDefense(FstOptions options) : IDefense
{
    public string Name => "fst";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "fst");
        var model = context.CopyOfModel();
        using var head = new SelectedWeights(model, model.ClassifierName, p: 2);
        Reinitialise(model);
        var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, options.Settings(), new FeatureShiftObjective(head, options.Alpha),
            Seeds.Stream(context.Seed, "fst-order"), context.Log, "fst", r => context.OnEpoch?.Invoke(r, model), context.Cancel);
        return new DefenseOutcome(model, epochs);
    }

    /// <summary>ft.py's re-initialisation: weight and bias uniform in ±1/√(inputs of the head).</summary>
    public static void Reinitialise(ImageClassifier model)
    {
        using var _ = no_grad();
        var head = model.Classifier;
        double bound = 1 / Math.Sqrt(head.weight!.shape[1]);
        head.weight.uniform_(-bound, bound);
        head.bias?.uniform_(-bound, bound);
    }

    /// <summary>Cross-entropy + α·⟨W, W0⟩, and the head projected back to ‖W0‖ after every step.</summary>
    private sealed class FeatureShiftObjective(SelectedWeights head, double alpha) : ITrainingObjective
    {
        // Its inner product reads the master head, whose gradient the trainer adds to the copy's (BFloat16Replica).
        public bool RunsInBFloat16 => true;

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            var logits = model.call(inputs);
            metrics.AddAccuracy("train_acc", logits, labels);
            var inner = head.InnerProductWithInitial();
            metrics.Add("inner_product", inner.item<float>(), labels.shape[0]);
            return nn.functional.cross_entropy(logits, labels) + inner * alpha;
        }

        public void AfterStep() => head.Project();
    }
}
