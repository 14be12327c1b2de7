using Antidote.Defenses.Fst;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Defenses;

public class FstTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void FST_moves_the_head_away_from_the_backdoored_one_at_the_same_norm_and_removes_a_planted_backdoor()
    {
        var planted = fixture.Planted;
        var before = planted.Evaluate(planted.Model);
        var original = planted.Model.Classifier.weight!.detach().clone();
        using var defended = new FstDefense(new FstOptions(Epochs: 20, BatchSize: 32)).Run(planted.Context()).Model;
        var head = defended.Classifier.weight!.detach();
        Assert.Equal(original.norm().item<float>(), head.norm().item<float>(), 3);
        // The penalty on <W, W0> turns the head away from the backdoored one.
        float cosine = (head * original).sum().item<float>() / (head.norm().item<float>() * original.norm().item<float>());
        Assert.True(cosine < 0.5f, $"cosine with the backdoored head {cosine:F2}");
        Assert.True(original.allclose(planted.Model.Classifier.weight!.detach()), "the input model is left alone");
        var after = planted.Evaluate(defended);
        Assert.True(after.AttackSuccessRate < 0.2, $"ASR {before.AttackSuccessRate:P1} -> {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > 0.9, $"ACC {after.Accuracy:P1}");
    }
}
