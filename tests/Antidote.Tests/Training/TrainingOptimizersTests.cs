using Antidote.Models;
using Antidote.Models.SmallCnn;
using Antidote.Training;

namespace Antidote.Tests.Training;

public class TrainingOptimizersTests
{
    [Fact]
    public void A_slower_group_keeps_its_share_of_the_learning_rate_as_the_cosine_anneals()
    {
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        var settings = new TrainingSettings(Epochs: 4, LearningRate: 0.01, BatchSize: 32);
        using var optimizers = TrainingOptimizers.SgdCosine(model, settings, 4, name => !name.StartsWith("linear."), 0.25);
        var groups = optimizers.All[0].ParamGroups.ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(0.01, groups[0].LearningRate, 12);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal(0.25, groups[1].LearningRate / groups[0].LearningRate, 9);
            optimizers.EndEpoch();
        }
        Assert.True(groups[0].LearningRate < 0.01 * 0.6, $"{groups[0].LearningRate}");
    }
}
