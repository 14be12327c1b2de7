using Antidote.Core;
using Antidote.Defenses.Nad;
using Antidote.Models;
using Antidote.Models.SmallCnn;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class NadTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void The_attention_map_sums_powers_over_channels_and_has_unit_norm_per_image()
    {
        var features = tensor(new float[] { 1, -2, 0, 3, /* channel 2 */ 2, 0, 1, -1 }, [1, 2, 2, 2]);
        var map = NadDefense.AttentionMap(features, 2);
        var sums = new[] { 1f + 4, 4f + 0, 0f + 1, 9f + 1 };
        float norm = MathF.Sqrt(sums.Sum(v => v * v));
        Assert.True(map.allclose(tensor(sums.Select(v => v / (norm + 1e-6f)).ToArray(), [1, 1, 2, 2]), atol: 1e-6));
    }

    [Fact]
    public void The_three_betas_go_to_the_last_feature_map_stages_and_a_model_without_one_is_refused()
    {
        var nad = new NadDefense(new NadOptions());
        using var cnn = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        Assert.Equal([("block1", 1000.0), ("block2", 1000.0)], nad.DistilledStages(cnn));
        using var preact = ModelCatalog.Create(new ModelSpec(Components.Model("preact-resnet18"), 3, 10, 32, 32));
        var stages = nad.DistilledStages(preact);
        Assert.Equal([500.0, 1000.0, 1000.0], stages.Select(s => s.Beta));
        Assert.Equal(preact.Stages.Where(s => s.IsFeatureMap).TakeLast(3).Select(s => s.Name), stages.Select(s => s.Stage));
        using var vit = ModelCatalog.Create(new ModelSpec(Components.Model("vit"), 3, 10, 32, 32));
        if (!vit.Stages.Any(s => s.IsFeatureMap))
            Assert.Contains("nad does not apply to", Assert.Throws<AntidoteException>(() => nad.DistilledStages(vit)).Message);
    }

    [Fact]
    public void NAD_trains_a_teacher_then_a_student_that_logs_the_attention_gap_of_every_distilled_stage()
    {
        var planted = fixture.Planted;
        var log = new ListRunLog();
        var outcome = new NadDefense(new NadOptions(TeacherEpochs: 2, Epochs: 3, BatchSize: 32)).Run(planted.Context() with { Log = log });
        using var student = outcome.Model;
        Assert.Equal(3, outcome.Epochs.Count);
        Assert.Contains(log.Lines, l => l.StartsWith("nad teacher epoch 2/2"));
        Assert.All(outcome.Epochs, r => Assert.True(r.Values.ContainsKey("at_block1") && r.Values.ContainsKey("at_block2") && double.IsFinite(r.Loss)));
        Assert.False(outcome.Epochs[0].Values.ContainsKey("at_fc1")); // the hidden layer is not a feature map
        Assert.True(planted.Evaluate(student).Accuracy > 0.9);
    }

    [Fact]
    public void NAD_lowers_the_ASR_that_its_fine_tuned_teacher_keeps()
    {
        var planted = fixture.Planted;
        var after = planted.EvaluateDefended(new NadDefense(new NadOptions(TeacherEpochs: 20, Epochs: 20, LearningRate: 0.05, BatchSize: 16)));
        // Measured: the teacher (plain fine-tuning) keeps 100%; the student sends one of the three other classes back (67%).
        Assert.True(after.AttackSuccessRate < 0.85, $"ASR {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > 0.9);
    }
}
