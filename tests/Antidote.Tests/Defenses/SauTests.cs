using Antidote.Defenses.Sau;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class SauTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void The_shared_perturbation_stays_in_its_L_infinity_ball()
    {
        var planted = fixture.Planted;
        var sau = new SauDefense(new SauOptions(TriggerNorm: 0.1, AdversarialSteps: 5));
        using var reference = planted.Context().CopyOfModel();
        reference.eval();
        planted.Model.eval();
        var delta = sau.SharedPerturbation(planted.Model, reference, planted.Clean.Images, planted.Clean.Labels, planted.Pipeline);
        Assert.True(delta.abs().max().item<float>() <= 0.1f + 1e-6f);
        Assert.Equal(planted.Clean.Images.shape, delta.shape);
    }

    [Fact]
    public void SAU_unlearns_the_shared_adversarial_examples_it_finds_and_keeps_the_accuracy()
    {
        var planted = fixture.Planted;
        var outcome = new SauDefense(new SauOptions(Rounds: 10, BatchSize: 32)).Run(planted.Context());
        using var defended = outcome.Model;
        // At first PGD fools the model and its frozen backdoored copy alike on most rows; unlearning makes such rows rare.
        Assert.True(outcome.Epochs[0].Values["shared_rows"] > 0.3, $"{outcome.Epochs[0].Values["shared_rows"]:G3}");
        Assert.True(outcome.Epochs[^1].Values["shared_rows"] < 0.1, $"{outcome.Epochs[^1].Values["shared_rows"]:G3}");
        Assert.True(planted.Evaluate(defended).Accuracy > 0.9);
    }

    [Fact]
    public void SAU_at_a_rate_for_120_images_removes_the_planted_backdoor()
    {
        // BackdoorBench's Adam 1e-4 over 100 rounds of 2,500 images is ~1,000 steps; 120 rows give 4 steps a round, so the
        // rate goes up instead of the rounds.
        var planted = fixture.Planted;
        Assert.True(planted.Evaluate(planted.Model).AttackSuccessRate > 0.9);
        var after = planted.EvaluateDefended(new SauDefense(new SauOptions(Rounds: 20, LearningRate: 0.01, BatchSize: 32)));
        Assert.True(after.AttackSuccessRate < 0.1, $"ASR {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > 0.9);
    }
}
