using Antidote.Core.Metrics;
using Antidote.Core.Runtime;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Runs;
using Antidote.Training;

namespace Antidote.Experiments;

/// <summary>`antidote eval`: ACC, ASR and RA of the model in any run folder (attack or defense).</summary>
public static class EvalExperiment
{
    public static EvaluationResult Run(string runPath, string? dataDirectory, ComputeSettings compute)
    {
        compute.Apply();
        string full = Path.GetFullPath(runPath);
        // A defense run names its attack run in config.json; an attack run is its own.
        var attackRun = File.Exists(Path.Combine(full, RunFiles.PoisonPlan))
            ? AttackRun.Open(full)
            : AttackRun.Open(Path.Combine(full, RunJson.Read<DefenseRunConfig>(Path.Combine(full, RunFiles.Config)).From));
        using var data = attackRun.LoadData(dataDirectory);
        using var attack = attackRun.CreateAttack(data.Info);
        using var testSet = new BackdoorTestSet(data.Test, attack);
        var (model, _) = RunModel.Load(full, compute.TorchDevice);
        using var _model = model;
        using var pipeline = DataPipeline.For(data.Info, compute.TorchDevice, precision: compute.Precision);
        return testSet.Evaluate(model, pipeline);
    }
}
