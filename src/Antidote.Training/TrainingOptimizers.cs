using Antidote.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>The optimizers of a training run and their schedules (stepped once per epoch); disposing it frees the
/// optimizers' state.</summary>
public sealed class TrainingOptimizers(IReadOnlyList<optim.Optimizer> optimizers, IReadOnlyList<optim.lr_scheduler.LRScheduler> schedules) : IDisposable
{
    /// <summary>SGD with momentum and weight decay from <paramref name="settings"/>, cosine-annealed over
    /// <see cref="TrainingSettings.CosineTMax"/> epochs (or the <paramref name="epochs"/> run).</summary>
    public static TrainingOptimizers SgdCosine(ImageClassifier model, TrainingSettings settings, int epochs)
    {
        var sgd = optim.SGD(model.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
        return new TrainingOptimizers([sgd], [optim.lr_scheduler.CosineAnnealingLR(sgd, settings.CosineTMax ?? epochs)]);
    }

    /// <summary>As <see cref="SgdCosine(ImageClassifier, TrainingSettings, int)"/>, with the parameters <paramref name="slower"/>
    /// picks (by name) stepping at <paramref name="scale"/> × the learning rate; the cosine anneals both groups alike. At
    /// scale 1 it is that one-group optimizer itself.</summary>
    public static TrainingOptimizers SgdCosine(ImageClassifier model, TrainingSettings settings, int epochs, Func<string, bool> slower, double scale)
    {
        if (scale == 1) return SgdCosine(model, settings, epochs);
        var parameters = model.named_parameters().ToList();
        var groups = new[] { parameters.Where(p => !slower(p.name)), parameters.Where(p => slower(p.name)) }
            .Select((group, i) => new SGD.ParamGroup(group.Select(p => p.parameter).ToList(),
                new SGD.Options { LearningRate = i == 0 ? settings.LearningRate : scale * settings.LearningRate }))
            .Where(g => g.Parameters.Any())
            .ToList();
        var sgd = optim.SGD(groups, settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
        return new TrainingOptimizers([sgd], [optim.lr_scheduler.CosineAnnealingLR(sgd, settings.CosineTMax ?? epochs)]);
    }

    /// <summary>SGD with momentum and weight decay from <paramref name="settings"/>, the learning rate multiplied by
    /// <paramref name="gamma"/> at each epoch of <paramref name="milestones"/> (PyTorch's MultiStepLR).</summary>
    public static TrainingOptimizers SgdMultiStep(ImageClassifier model, TrainingSettings settings, int[] milestones, double gamma)
    {
        var sgd = optim.SGD(model.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
        return new TrainingOptimizers([sgd], [optim.lr_scheduler.MultiStepLR(sgd, milestones, gamma)]);
    }

    public IReadOnlyList<optim.Optimizer> All => optimizers;

    /// <summary>The first optimizer's learning rate this epoch (what the log shows).</summary>
    public double LearningRate => optimizers[0].ParamGroups.First().LearningRate;

    public void ZeroGrad()
    {
        foreach (var optimizer in optimizers) optimizer.zero_grad();
    }

    /// <summary>Runs before every <see cref="Step"/>: the trainer adds a bfloat16 copy's gradients to the float32 master
    /// weights here (<see cref="BFloat16Replica"/>).</summary>
    public Action? BeforeStep { get; set; }

    public void Step()
    {
        BeforeStep?.Invoke();
        foreach (var optimizer in optimizers) optimizer.step();
    }

    public void EndEpoch()
    {
        foreach (var schedule in schedules) schedule.step();
    }

    public void Dispose()
    {
        foreach (var optimizer in optimizers) optimizer.Dispose();
    }
}
