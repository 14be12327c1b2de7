using Antidote.Defenses.None;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Defenses;

public class NoDefenseTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void No_defense_hands_back_a_copy_that_scores_as_the_backdoored_model()
    {
        var planted = fixture.Planted;
        using var copy = new NoDefense().Run(planted.Context()).Model;
        Assert.NotSame(planted.Model, copy);
        Assert.Equal(planted.Evaluate(planted.Model), planted.Evaluate(copy));
    }
}
