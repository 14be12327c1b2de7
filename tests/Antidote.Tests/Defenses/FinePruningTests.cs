using Antidote.Defenses;
using Antidote.Defenses.FinePruning;
using Antidote.Defenses.FineTuning;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class FinePruningTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void Fine_pruning_cuts_the_quietest_channels_keeps_them_cut_through_fine_tuning_and_removes_a_planted_backdoor()
    {
        var planted = fixture.Planted;
        var options = new FinePruningOptions(FineTune: new FineTuningOptions(Epochs: 10, BatchSize: 32));

        var outcome = new FinePruningDefense(options).Run(planted.Context());

        using var defended = outcome.Model;
        var gate = defended.LastStageGate;
        int pruned = (int)outcome.Facts!["pruned_channels"];
        Assert.InRange(pruned, 1, gate.Channels - 1);
        // The channels pruned are the least active ones on the rows FP learns from (its held-out rows excluded).
        using var holdout = CleanHoldout.Split(planted.Clean, options.Holdout, 0, "fp-holdout", "fp");
        double[] activation = FinePruningDefense.ChannelActivations(planted.Model, planted.Model.LastStageGate, holdout.Learn, planted.Pipeline);
        var quietest = Enumerable.Range(0, gate.Channels).OrderBy(c => activation[c]).ThenBy(c => c).Take(pruned).ToHashSet();
        var columns = gate.Linear.weight!.reshape(gate.Linear.out_features, gate.Channels, gate.ColumnsPerChannel);
        for (int c = 0; c < gate.Channels; c++)
            Assert.Equal(quietest.Contains(c), columns[TensorIndex.Colon, c].abs().sum().item<float>() == 0);
        Assert.True(outcome.Facts["holdout_acc_pruned"] > 0.9 * outcome.Facts["holdout_acc_unpruned"]);
        var after = planted.Evaluate(defended);
        Assert.True(after.AttackSuccessRate < 0.2, $"ASR {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > 0.9);
    }
}
