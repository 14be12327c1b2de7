using Antidote.Attacks.Blended;
using Antidote.Defenses.IBau;
using Antidote.Models;
using Antidote.Models.SmallCnn;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class IBauTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void I_BAU_at_a_rate_for_120_images_removes_a_planted_blended_backdoor()
    {
        // A blended trigger is a small change everywhere, the kind of universal perturbation i-BAU searches for; a 2×2 white
        // patch is not (on the BadNets fixture the search finds almost no gradient). Adam 1e-4 is for thousands of rows.
        using var planted = new PlantedBackdoor(epochs: 4, attack: ("blended", new BlendedOptions(Trigger: BlendTrigger.Noise)));
        Assert.True(planted.Evaluate(planted.Model).AttackSuccessRate > 0.9);
        var after = planted.EvaluateDefended(new IBauDefense(new IBauOptions(Rounds: 10, LearningRate: 0.01, BatchSize: 32)));
        Assert.True(after.AttackSuccessRate < 0.1, $"ASR {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > 0.9);
    }

    /// <summary>A model that has not learnt the data: its own predictions are easy to flip, so the search has gradient to follow.</summary>
    private static ImageClassifier Untrained()
    {
        manual_seed(5);
        var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        model.eval();
        return model;
    }

    [Fact]
    public void The_perturbation_search_flips_the_models_own_predictions_and_stays_in_its_bound()
    {
        var planted = fixture.Planted;
        using var model = Untrained();
        using var x = planted.Pipeline.Normalize(planted.Clean.Images);
        using var before = model.call(x).argmax(1);

        using var free = new IBauDefense(new IBauOptions(BatchSize: 16)).SearchPerturbation(model, planted.Clean, planted.Pipeline, new Random(0));
        using var flipped = model.call(x + free).argmax(1).ne(before).sum();
        Assert.True(flipped.item<long>() > planted.Clean.Count / 10, $"{flipped.item<long>()} of {planted.Clean.Count} predictions flipped");

        double bound = free.norm().item<float>() / 2;
        using var bounded = new IBauDefense(new IBauOptions(BatchSize: 16, PerturbationBound: bound)).SearchPerturbation(model, planted.Clean, planted.Pipeline, new Random(0));
        Assert.Equal(bound, bounded.norm().item<float>(), 4);
        Assert.True(bounded.div(bounded.norm()).allclose(free.div(free.norm()), atol: 1e-5), "scaled into the ball, not changed in direction");
    }

    [Fact]
    public void I_BAU_runs_its_rounds_in_evaluation_mode_and_keeps_the_accuracy()
    {
        var planted = fixture.Planted;
        var log = new ListRunLog();
        var outcome = new IBauDefense(new IBauOptions(Rounds: 2, K: 3, BatchSize: 32, Portion: 0.25)).Run(planted.Context() with { Log = log });
        using var defended = outcome.Model;
        Assert.Equal(2, outcome.Epochs.Count);
        Assert.Contains(log.Lines, l => l.StartsWith("i-bau round 2/2"));
        Assert.All(outcome.Epochs, r => Assert.True(double.IsFinite(r.Loss) && r.Values["perturbation_norm"] >= 0));
        Assert.True(planted.Evaluate(defended).Accuracy > 0.9);
        // Batch norm's running statistics do not move: the model stays in evaluation mode, as BackdoorBench's does.
        var bn = planted.Model.named_buffers().First(b => b.name.EndsWith("running_mean"));
        Assert.True(bn.buffer.allclose(defended.named_buffers().First(b => b.name == bn.name).buffer));
    }
}
