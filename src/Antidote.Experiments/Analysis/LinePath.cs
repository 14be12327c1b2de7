using Antidote.Models;
using Antidote.Experiments.Evaluation;
using Antidote.Experiments.Runs;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Experiments.Analysis;

/// <summary>Clean and backdoor loss of the model θ0 + t·(θ − θ0) at one t.</summary>
public sealed record LinePoint(double T, double CleanLoss, double BackdoorLoss);

/// <summary>
/// The D3 paper's diagnostic: the backdoored model θ0 and a defended model θ joined by a line, and the clean and the
/// backdoor loss along it (t = 0 is the backdoored model, t = 1 the defended one). A defense that only moved along a
/// valley of the clean loss shows a backdoor loss that stays low near t = 1 and comes back when t is pushed past it.
/// Every floating-point tensor of the state (weights and batch-norm statistics) is interpolated, batch-norm variances
/// clamped at zero where the line is extended past the two models; counters are kept.
/// </summary>
public static class LinePath
{
    /// <summary>The paper's range, t from −0.5 to 2.</summary>
    public static readonly double[] DefaultSteps = Enumerable.Range(0, 11).Select(i => -0.5 + 0.25 * i).ToArray();

    public static IReadOnlyList<LinePoint> Measure(string attackRunFolder, string defenseRunFolder, IReadOnlyList<double> steps, string? dataDirectory, int maxImages) =>
        Measure(attackRunFolder, [defenseRunFolder], steps, dataDirectory, maxImages)[0];

    /// <summary>One line per defended model, all from the same backdoored model: the data and the triggered test set are
    /// made once.</summary>
    public static IReadOnlyList<IReadOnlyList<LinePoint>> Measure(string attackRunFolder, IReadOnlyList<string> defenseRunFolders,
        IReadOnlyList<double> steps, string? dataDirectory, int maxImages)
    {
        var attackRun = AttackRun.Open(attackRunFolder);
        using var data = attackRun.LoadData(dataDirectory);
        using var attack = attackRun.CreateAttack(data.Info);
        using var testSet = new BackdoorTestSet(data.Test, attack);
        using var pipeline = DataPipeline.For(data.Info, CPU);
        // The backdoored model, and a copy of it whose floating-point state every point overwrites (its counters stay).
        var (start, _) = RunModel.Load(attackRunFolder, CPU);
        var (probe, _) = RunModel.Load(attackRunFolder, CPU);
        using (start)
        using (probe)
            return defenseRunFolders.Select(folder => Line(start, probe, folder, steps, testSet, pipeline, maxImages)).ToList();
    }

    private static IReadOnlyList<LinePoint> Line(ImageClassifier start, ImageClassifier probe, string defenseRunFolder, IReadOnlyList<double> steps,
        BackdoorTestSet testSet, DataPipeline pipeline, int maxImages)
    {
        var (end, _) = RunModel.Load(defenseRunFolder, CPU);
        using (end)
        {
            var from = start.state_dict();
            var to = end.state_dict();
            var into = probe.state_dict();
            var points = new List<LinePoint>();
            foreach (double t in steps)
            {
                using (no_grad())
                    foreach (var (key, target) in into)
                        if (target.is_floating_point())
                        {
                            using var scope = NewDisposeScope();
                            target.copy_(from[key] + (to[key] - from[key]) * t);
                            // Past the ends a batch-norm variance can cross zero, and its square root would be NaN.
                            if (key.EndsWith("running_var", StringComparison.Ordinal)) target.clamp_min_(0);
                        }
                var (clean, backdoor) = testSet.Losses(probe, pipeline, maxImages);
                points.Add(new LinePoint(t, clean, backdoor));
            }
            return points;
        }
    }
}
