using System.ComponentModel;
using System.Diagnostics;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data.Batching;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.IBau;

/// <summary>i-BAU as BackdoorBench runs it (config/defense/i-bau/config.yaml, defense/i-bau.py), its hard-coded constants as options.</summary>
public sealed record IBauOptions(
    [Description("Unlearning rounds, each a fresh universal perturbation then one pass of hypergradient steps (BackdoorBench n_rounds, L30: 5)")]
    int Rounds = 5,
    [Description("Fixed-point iterations of the implicit hypergradient (K, L31: 5)")]
    int K = 5,
    [Description("Adam learning rate of the model, no weight decay (L16, L20: 1e-4)")]
    double LearningRate = 1e-4,
    [Description("Batch size (BackdoorBench's defense default: 256)")]
    int BatchSize = 256,
    [Description("SGD learning rate of the perturbation search (i-bau.py L527, hard-coded: 10)")]
    double PerturbationLearningRate = 10,
    [Description("Weight of ‖δ‖² in the perturbation's loss (hard-coded: 0.001)")]
    double Regularisation = 0.001,
    [Description("Gradient step of the inner problem the hypergradient differentiates (L505, hard-coded: 0.1)")]
    double InnerStep = 0.1,
    [Description("Fraction of each batch that carries the perturbation in the outer loss (L488, hard-coded: 0.01)")]
    double Portion = 0.01,
    [Description("L2 radius the perturbation is scaled into after its search (the I-BAU authors' 10; 0 = unbounded, as BackdoorBench, which comments the line out)")]
    double PerturbationBound = 0) : IDefenseOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Rounds), Rounds);
        OptionCheck.Positive(nameof(K), K);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Positive(nameof(PerturbationLearningRate), PerturbationLearningRate);
        OptionCheck.NotNegative(nameof(Regularisation), Regularisation);
        OptionCheck.Positive(nameof(InnerStep), InnerStep);
        OptionCheck.Fraction(nameof(Portion), Portion);
        OptionCheck.NotNegative(nameof(PerturbationBound), PerturbationBound);
    }
}

/// <summary>
/// i-BAU (Zeng et al., ICLR 2022): a minimax problem solved round by round. In each round a universal perturbation δ (on
/// normalised inputs) is searched by one pass of SGD that maximises the cross-entropy against the model's own predictions
/// (minus 0.001‖δ‖²); then, batch by batch, Adam moves the weights along the implicit hypergradient of the clean loss with δ
/// stamped on a small portion of the rows, differentiating through one gradient step of the inner problem (on the first batch,
/// as BackdoorBench's loss_inner does) by K fixed-point iterations. The model stays in evaluation mode throughout, as in
/// BackdoorBench, so batch-norm statistics do not move.
/// </summary>
public sealed class IBauDefense(IBauOptions options) : IDefense
{
    public string Name => "i-bau";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "i-bau");
        var model = context.CopyOfModel();
        model.eval();
        var parameters = model.parameters().ToList();
        using var adam = optim.Adam(parameters, options.LearningRate);
        var data = context.CleanData;
        var order = Seeds.Stream(context.Seed, "i-bau-order");
        var batches = IndexBatches.Shuffled(data.Count, options.BatchSize, order).ToList();
        var pipeline = context.Pipeline;
        // BackdoorBench keeps the batches of one augmented pass for the whole defense (images_list).
        var inputs = new List<(Tensor Inputs, Tensor Labels)>();
        foreach (var rows in batches)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = data.Batch(rows, pipeline.Device);
            inputs.Add((pipeline.TrainInputs(images).MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope()));
        }
        var records = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int round = 1; round <= options.Rounds; round++)
            {
                var roundClock = Stopwatch.StartNew();
                using var perturbation = SearchPerturbation(model, data, pipeline, order, context.Cancel);
                double lossSum = 0;
                for (int b = 0; b < inputs.Count; b++)
                {
                    context.Cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    adam.zero_grad();
                    lossSum += Hypergradient(model, parameters, perturbation, inputs[0], inputs[b]);
                    adam.step();
                    context.Log.Progress(new ProgressUpdate("i-bau", round, options.Rounds, b + 1, inputs.Count, lossSum / (b + 1),
                        TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / ((round - 1) * inputs.Count + b + 1) * ((options.Rounds - round + 1) * inputs.Count - b - 1))));
                }
                var record = new EpochRecord(round, lossSum / inputs.Count, options.LearningRate, roundClock.Elapsed.TotalSeconds,
                    new Dictionary<string, double> { ["perturbation_norm"] = perturbation.norm().item<float>() });
                context.OnEpoch?.Invoke(record, model);
                records.Add(record);
                context.Log.Info($"i-bau round {round}/{options.Rounds} loss {record.Loss:F4} perturbation_norm {record.Values["perturbation_norm"]:G4} ({record.Seconds:F1}s)");
            }
        }
        finally
        {
            foreach (var (x, y) in inputs) { x.Dispose(); y.Dispose(); }
        }
        model.eval();
        return new DefenseOutcome(model, records);
    }

    /// <summary>One pass of SGD over shuffled batches on −CE(f(x + δ), argmax f(x)) + reg·‖δ‖², from δ = 0; then scaled into
    /// the L2 bound when one is set. Returns δ [1, C, H, W] (on normalised inputs, detached).</summary>
    public Tensor SearchPerturbation(ImageClassifier model, Antidote.Data.ImageDataset data, DataPipeline pipeline, Random order, CancellationToken cancel = default)
    {
        var first = data.Batch([0], pipeline.Device).Images;
        var delta = new TorchSharp.Modules.Parameter(zeros_like(first));
        first.Dispose();
        using var sgd = optim.SGD([delta], options.PerturbationLearningRate);
        foreach (var rows in IndexBatches.Shuffled(data.Count, options.BatchSize, order))
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (images, _) = data.Batch(rows, pipeline.Device);
            var x = pipeline.TrainInputs(images);
            Tensor own;
            using (no_grad()) own = model.call(x).argmax(1);
            var loss = -nn.functional.cross_entropy(model.call(x + delta), own) + delta.square().sum() * options.Regularisation;
            sgd.zero_grad();
            loss.backward();
            sgd.step();
        }
        var result = delta.detach().clone();
        delta.Dispose();
        if (options.PerturbationBound > 0)
        {
            using var _ = no_grad();
            float norm = result.norm().item<float>();
            if (norm > options.PerturbationBound) result.mul_(options.PerturbationBound / norm);
        }
        return result;
    }

    /// <summary>Sets each weight's gradient to the implicit hypergradient of the outer loss (clean cross-entropy with δ on a
    /// portion of <paramref name="outer"/>'s rows) through one inner step w − η∇_w L_inner(w, θ) on <paramref name="inner"/>
    /// (BackdoorBench's fixed_point with its GradientDescent map). Returns the outer loss.</summary>
    private float Hypergradient(ImageClassifier model, List<TorchSharp.Modules.Parameter> parameters, Tensor perturbation,
        (Tensor Inputs, Tensor Labels) inner, (Tensor Inputs, Tensor Labels) outer)
    {
        var w = perturbation.detach().clone().requires_grad_(true);
        var theta = parameters.Cast<Tensor>().ToList();

        var outerLoss = OuterLoss(model, w, outer);
        var gradOuterW = autograd.grad([outerLoss], [w], retain_graph: true, allow_unused: true)[0] ?? zeros_like(w);
        var gradOuterTheta = autograd.grad([outerLoss], theta, allow_unused: true);

        var innerLoss = -nn.functional.cross_entropy(model.call(inner.Inputs + w), inner.Labels) + w.square().sum() * options.Regularisation;
        var innerGrad = autograd.grad([innerLoss], [w], retain_graph: true, create_graph: true)[0];
        var mapped = w - innerGrad * options.InnerStep;

        var v = zeros_like(w);
        for (int k = 0; k < options.K; k++)
        {
            var previous = v;
            v = autograd.grad([mapped], [w], grad_outputs: [v], retain_graph: true)[0] + gradOuterW;
            if ((v - previous).norm().item<float>() < 1e-10f) break;
        }
        var gradTheta = autograd.grad([mapped], theta, grad_outputs: [v], allow_unused: true);
        using (no_grad())
            for (int i = 0; i < theta.Count; i++)
            {
                var g = gradTheta[i] is null ? gradOuterTheta[i] : gradOuterTheta[i] is null ? gradTheta[i] : gradTheta[i] + gradOuterTheta[i];
                if (g is null) continue;
                if (theta[i].grad is null) theta[i].grad = g.detach().clone();
                else theta[i].grad!.add_(g);
            }
        return outerLoss.item<float>();
    }

    /// <summary>Cross-entropy on the true labels with δ added to int(portion × n) rows drawn at random (libtorch's generator).</summary>
    private Tensor OuterLoss(ImageClassifier model, Tensor w, (Tensor Inputs, Tensor Labels) batch)
    {
        long n = batch.Inputs.shape[0];
        int patched = (int)(n * options.Portion);
        var mask = zeros(n, 1, 1, 1, device: batch.Inputs.device);
        if (patched > 0)
            mask.index_fill_(0, randperm(n, device: batch.Inputs.device).narrow(0, 0, patched), 1);
        return nn.functional.cross_entropy(model.call(batch.Inputs + mask * w), batch.Labels);
    }
}
