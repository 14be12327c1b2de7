using Antidote.Core.Runtime;
using Antidote.Training;

namespace Antidote.Defenses.D3;

/// <summary>
/// D3, Distance-Driven Detoxification (Wei, Liu, Zha, ICCV 2025): maximise the distance of the selected weights
/// from their initial values subject to the clean loss staying under ε, by projected SGD on the hinge-penalised
/// objective. All parameters train on the clean term; only θ_s sees the distance term and the projection.
/// </summary>
public sealed class D3Defense(D3Options options) : IDefense
{
    public string Name => "d3";

    public D3Options Options => options;

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "d3");
        var model = context.CopyOfModel();
        using var selected = new SelectedWeights(model, options.Module ?? model.ClassifierName, options.P);
        context.Log.Info($"d3: selected {string.Join(", ", selected.Names)} (norms {string.Join(", ", selected.InitialNorms.Select(n => n.ToString("F3")))})");
        var lambda = CreateLambdaRule(context);
        selected.Initialize(options.Initialization);
        // The reference trains all parameters with SGD, momentum 0.9 and no weight decay.
        var settings = new TrainingSettings(options.Epochs, options.LearningRate, options.BatchSize, WeightDecay: 0,
            FreezeBatchNorm: options.FreezeBatchNorm);
        var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, settings,
            new D3Objective(selected, options.Epsilon, lambda), Seeds.Stream(context.Seed, "d3-order"), context.Log, "d3",
            r => context.OnEpoch?.Invoke(r, model), context.Cancel);
        return new DefenseOutcome(model, epochs);
    }

    private ILambdaRule CreateLambdaRule(DefenseContext context)
    {
        if (options.LambdaMode == LambdaMode.Fixed)
            return new FixedLambda(options.Lambda);
        var dual = options.DualOrDefault;
        double initialHinge = Evaluator.MeanHinge(context.Model, context.CleanData, context.Pipeline, options.Epsilon);
        double budget = Math.Max(dual.BudgetFloor, dual.BudgetScale * initialHinge);
        context.Log.Info($"d3: dual ascent, initial clean hinge {initialHinge:F4}, budget {budget:F4}, start λ {options.Lambda}, step {dual.Step}");
        return new DualAscentLambda(options.Lambda, dual.Step, budget);
    }
}
