using System.ComponentModel;
using System.Diagnostics;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data.Batching;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.Sau;

/// <summary>SAU as BackdoorBench runs it (config/defense/sau/config.yaml, defense/sau.py; its author's implementation).</summary>
public sealed record SauOptions(
    [Description("Rounds: passes over the clean subset (BackdoorBench n_rounds, L33: 100)")]
    int Rounds = 100,
    [Description("Adam learning rate, no weight decay (L20-22: 1e-4)")]
    double LearningRate = 1e-4,
    [Description("Batch size (BackdoorBench's defense default: 256)")]
    int BatchSize = 256,
    [Description("L∞ bound of the shared adversarial perturbation, in pixels in [0, 1] (trigger_norm, L37: 0.2)")]
    double TriggerNorm = 0.2,
    [Description("PGD step: the perturbation moves by this times the gradient's sign (adv_lr, L38: 0.2)")]
    double AdversarialStep = 0.2,
    [Description("PGD steps per batch (adv_steps, L40: 5)")]
    int AdversarialSteps = 5,
    [Description("Weight of the adversarial loss while searching (beta_1, L42: 0.01)")]
    double Beta1 = 0.01,
    [Description("Weight of the shared (Jensen-Shannon) loss while searching (beta_2, L43: 1)")]
    double Beta2 = 1,
    [Description("Weight of the clean loss while unlearning (lmd_1, L46: 1)")]
    double Lambda1 = 1,
    [Description("Weight of adversarial training on the perturbed images (lmd_2, L47: 0)")]
    double Lambda2 = 0,
    [Description("Weight of the shared adversarial risk (lmd_3, L48: 1)")]
    double Lambda3 = 1,
    [Description("Unlearning steps per batch (outer_steps: 1)")]
    int OuterSteps = 1,
    [Description("Update batch-norm statistics while unlearning (train_mode; BackdoorBench: off, the model stays in evaluation mode)")]
    bool TrainMode = false) : IDefenseOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Rounds), Rounds);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Fraction(nameof(TriggerNorm), TriggerNorm);
        OptionCheck.Positive(nameof(AdversarialStep), AdversarialStep);
        OptionCheck.Positive(nameof(AdversarialSteps), AdversarialSteps);
        OptionCheck.NotNegative(nameof(Beta1), Beta1);
        OptionCheck.NotNegative(nameof(Beta2), Beta2);
        OptionCheck.NotNegative(nameof(Lambda1), Lambda1);
        OptionCheck.NotNegative(nameof(Lambda2), Lambda2);
        OptionCheck.NotNegative(nameof(Lambda3), Lambda3);
        OptionCheck.Positive(nameof(OuterSteps), OuterSteps);
    }
}

/// <summary>
/// Shared Adversarial Unlearning (Wei et al., NeurIPS 2023): for each clean batch, PGD (L∞, started at the bound) looks for a
/// per-image perturbation that fools both the model and a frozen copy of the backdoored model in the same way (a "shared"
/// adversarial example, the kind a backdoor trigger makes); then Adam lowers the clean loss plus the model's probability of the
/// class the frozen copy is fooled into, on the rows where the copy is fooled. Perturbations live in pixel space (the data
/// pipeline denormalises and normalises around them), as BackdoorBench's get_perturbed_image does; no augmentation, and the model
/// stays in evaluation mode unless <c>TrainMode</c>.
/// </summary>
public sealed class SauDefense(SauOptions options) : IDefense
{
    public string Name => "sau";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "sau");
        var model = context.CopyOfModel();
        using var reference = context.CopyOfModel();
        reference.eval();
        foreach (var p in reference.parameters()) p.requires_grad = false;
        model.eval();
        using var adam = optim.Adam(model.parameters(), options.LearningRate);
        var data = context.CleanData;
        var pipeline = context.Pipeline;
        var order = Seeds.Stream(context.Seed, "sau-order");
        var records = new List<EpochRecord>();
        int steps = IndexBatches.Count(data.Count, options.BatchSize);
        var clock = Stopwatch.StartNew();
        for (int round = 1; round <= options.Rounds; round++)
        {
            var roundClock = Stopwatch.StartNew();
            double lossSum = 0, sharedSum = 0;
            int step = 0;
            foreach (var rows in IndexBatches.Shuffled(data.Count, options.BatchSize, order))
            {
                context.Cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (pixels, labels) = data.Batch(rows, pipeline.Device);
                var perturbation = SharedPerturbation(model, reference, pixels, labels, pipeline);
                for (int outer = 0; outer < options.OuterSteps; outer++)
                {
                    var (loss, shared) = UnlearningLoss(model, reference, pixels, labels, perturbation, pipeline);
                    adam.zero_grad();
                    loss.backward();
                    adam.step();
                    model.eval();
                    lossSum += loss.item<float>();
                    sharedSum += shared;
                }
                step++;
                double done = (round - 1) * steps + step, total = options.Rounds * steps;
                context.Log.Progress(new ProgressUpdate("sau", round, options.Rounds, step, steps, lossSum / step / options.OuterSteps,
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (total - done))));
            }
            var record = new EpochRecord(round, lossSum / step / options.OuterSteps, options.LearningRate, roundClock.Elapsed.TotalSeconds,
                new Dictionary<string, double> { ["shared_rows"] = sharedSum / step / options.OuterSteps });
            context.OnEpoch?.Invoke(record, model);
            records.Add(record);
            context.Log.Info($"sau round {round}/{options.Rounds} loss {record.Loss:F4} shared_rows {record.Values["shared_rows"]:G4} ({record.Seconds:F1}s)");
        }
        model.eval();
        return new DefenseOutcome(model, records);
    }

    /// <summary>BackdoorBench's Shared_PGD: from δ = +bound, steps of −step·sign(∇) on β1·L_adv + β2·L_share, clamped to the
    /// L∞ ball, stopping early once every row is a shared adversarial example. L_adv is minus the cross-entropy of the rows
    /// not yet fooled (both models, halved, per batch row); L_share is the Jensen-Shannon divergence of the two models'
    /// predictions on the rows not yet shared. Returns δ in pixel space, detached.</summary>
    public Tensor SharedPerturbation(ImageClassifier model, ImageClassifier reference, Tensor pixels, Tensor labels, DataPipeline pipeline)
    {
        long n = pixels.shape[0];
        var delta = full_like(pixels, options.TriggerNorm);
        Tensor own, ownReference;
        using (no_grad())
        {
            var inputs = pipeline.Normalize(pixels);
            own = model.call(inputs).argmax(1);
            ownReference = reference.call(inputs).argmax(1);
        }
        for (int step = 0; step < options.AdversarialSteps; step++)
        {
            var d = delta.detach().requires_grad_(true);
            var perturbed = pipeline.Normalize(pixels + d);
            var logits = model.call(perturbed);
            var logitsReference = reference.call(perturbed);
            var label = logits.argmax(1);
            var labelReference = logitsReference.argmax(1);
            var fooled = label.ne(own);
            var fooledReference = labelReference.ne(ownReference);
            var shared = fooled.logical_and(fooledReference).logical_and(label.eq(labelReference));

            var ce = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
            var ceReference = nn.functional.cross_entropy(logitsReference, labels, reduction: nn.Reduction.None);
            var adversarial = -((ce * fooled.logical_not()).sum() + (ceReference * fooledReference.logical_not()).sum()) / 2 / n;
            var p = logits.softmax(1).clamp(min: 1e-8);
            var q = logitsReference.softmax(1).clamp(min: 1e-8);
            var mix = (p + q) * 0.5;
            var js = (p * p.log() + q * q.log()) * 0.5 - (p * mix.log() + q * mix.log()) * 0.5;
            var share = (js.sum(1) * shared.logical_not()).sum() / n;
            var loss = adversarial * options.Beta1 + share * options.Beta2;
            var gradient = autograd.grad([loss], [d])[0];
            using (no_grad())
                delta = (d - gradient.sign() * options.AdversarialStep).clamp(-options.TriggerNorm, options.TriggerNorm);
            if (shared.all().item<bool>()) break;
        }
        return delta.detach();
    }

    /// <summary>λ1·CE(clean) + λ2·CE(perturbed) + λ3·L_sar, where L_sar pushes down the model's probability of the class the
    /// frozen copy is fooled into, on the rows where it is fooled (BackdoorBench's loss_shared, clamps included). Returns the
    /// loss and the fraction of rows in L_sar.</summary>
    public (Tensor Loss, double SharedRows) UnlearningLoss(ImageClassifier model, ImageClassifier reference, Tensor pixels, Tensor labels,
        Tensor perturbation, DataPipeline pipeline)
    {
        long n = pixels.shape[0];
        var clean = pipeline.Normalize(pixels);
        var perturbed = pipeline.Normalize(pixels + perturbation);
        if (options.TrainMode) model.train();
        var both = model.call(cat([clean, perturbed], 0));
        model.eval();
        var logits = both.narrow(0, 0, n);
        var perturbedLogits = both.narrow(0, n, n);
        Tensor labelReference, fooledReference;
        using (no_grad())
        {
            var ownReference = reference.call(clean).argmax(1);
            labelReference = reference.call(perturbed).argmax(1);
            fooledReference = labelReference.ne(labels).logical_and(labelReference.ne(ownReference));
        }
        var loss = nn.functional.cross_entropy(logits, labels) * options.Lambda1;
        if (options.Lambda2 > 0) loss = loss + nn.functional.cross_entropy(perturbedLogits, labels) * options.Lambda2;
        long poisoned = fooledReference.sum().item<long>();
        if (poisoned > 0 && options.Lambda3 > 0)
        {
            var probability = perturbedLogits.softmax(1);
            var onehot = nn.functional.one_hot(labelReference, probability.shape[1]).to_type(probability.dtype);
            var positive = (probability * onehot).sum(1).masked_select(fooledReference);
            var negative = (probability * (1 - onehot)).sum(1).masked_select(fooledReference);
            var shared = (-(negative.clamp(max: 0.999) + 1e-6).log().sum() - (1 + 1e-6 - positive.clamp(min: 0.001)).log().sum()) / 2 / n;
            loss = loss + shared * options.Lambda3;
        }
        return (loss, poisoned / (double)n);
    }
}
