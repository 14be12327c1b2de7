using Antidote.Models.SmallCnn;
using Antidote.Attacks;
using Antidote.Attacks.BadNets;
using Antidote.Core.Logging;
using Antidote.Core.Metrics;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Defenses;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.TestKit;

/// <summary>
/// A small CNN with a backdoor (by default BadNets: 2×2 patch; target 0, 10% poisoning) trained on 12×12 quadrant images:
/// big enough to carry a real backdoor, small enough to train in a few seconds.
/// </summary>
public sealed class PlantedBackdoor : IDisposable
{
    /// <param name="attack">Another attack to plant (a registered name) with its options; null: BadNets with a 2×2 patch.</param>
    public PlantedBackdoor(int seed = 0, int epochs = 8, (string Name, IAttackOptions Options)? attack = null)
    {
        Info = QuadrantImages.Info();
        Train = QuadrantImages.Create(1200, seed: 11);
        Test = QuadrantImages.Create(400, seed: 12);
        Clean = QuadrantImages.Create(120, seed: 13);
        var settings = new AttackSettings(Target: 0, PoisonRatio: 0.1);
        var (name, options) = attack ?? ("badnets", new BadNetsOptions(PatchSize: 2));
        Attack = AttackCatalog.Default.Get(name).Create(new AttackRequest(Info, settings, options));
        Attack.Prepare(Components.Preparation(Info) with { CleanTrain = Train });
        var plan = PoisonPlanner.Plan(Attack, Train.LabelArray, settings, seed);
        Pipeline = DataPipeline.For(Info, CPU);
        Spec = new ModelSpec(new SmallCnnOptions(Width: 8), 1, 4, 12, 12);
        Seeds.SeedTorch(seed, "init");
        Model = ModelCatalog.Create(Spec);
        using var poisoned = PoisonedData.Training(Train, Attack, plan);
        Trainer.Train(Model, poisoned, Pipeline, new TrainingSettings(epochs, 0.05, 32), new CrossEntropyObjective(),
            new Random(seed), NullRunLog.Instance, "plant");
        (Triggered, Targets) = PoisonedData.Test(Test, Attack);
    }

    public DatasetInfo Info { get; }
    public ImageDataset Train { get; }
    public ImageDataset Test { get; }
    public ImageDataset Clean { get; }
    public IAttack Attack { get; }
    public DataPipeline Pipeline { get; }
    public ModelSpec Spec { get; }
    public ImageClassifier Model { get; }
    public ImageDataset Triggered { get; }
    public int[] Targets { get; }

    public DefenseContext Context(long seed = 0, Action<EpochRecord, ImageClassifier>? onEpoch = null) =>
        new(Model, Clean, norm => ModelCatalog.Create(Spec, norm), Pipeline, seed, NullRunLog.Instance, onEpoch);

    /// <summary>Runs the defense on the clean rows and measures the model it returns (then disposed).</summary>
    public EvaluationResult EvaluateDefended(IDefense defense, long seed = 0)
    {
        using var defended = defense.Run(Context(seed)).Model;
        return Evaluate(defended);
    }

    public EvaluationResult Evaluate(ImageClassifier model)
    {
        int[] clean = Evaluator.Predict(model, Test, Pipeline);
        int[] triggered = Evaluator.Predict(model, Triggered, Pipeline);
        return new EvaluationResult(BackdoorMetrics.Accuracy(clean, Test.LabelArray),
            BackdoorMetrics.AttackSuccessRate(triggered, Targets), BackdoorMetrics.RobustAccuracy(triggered, Triggered.LabelArray));
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
        Clean.Dispose();
        Triggered.Dispose();
        Pipeline.Dispose();
    }
}
