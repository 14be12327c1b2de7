using Antidote.Defenses.FineTuning;
using Antidote.Defenses.FtSam;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class FtSamTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    private static List<Tensor> Parameters(params float[][] values) =>
        values.Select(v =>
        {
            var p = tensor(v).requires_grad_(true);
            (p * tensor(v.Select((_, i) => (float)(i + 1)).ToArray())).sum().backward(); // grad = 1, 2, 3, ...
            return p;
        }).ToList();

    [Fact]
    public void The_SAM_perturbation_has_norm_rho_and_the_adaptive_one_has_norm_rho_in_weight_scaled_coordinates()
    {
        var parameters = Parameters([0.5f, -2f, 1f], [3f, 0.25f]);
        var plain = SharpnessAwareObjective.Perturbation(parameters, 2.0, adaptive: false);
        double plainNorm = Math.Sqrt(plain.Sum(e => (double)e.square().sum().item<float>()));
        Assert.Equal(2.0, plainNorm, 4);
        // Plain SAM moves along the gradient.
        Assert.True(plain[0].div(parameters[0].grad!).allclose(plain[1][0].div(parameters[1].grad![0])));

        var adaptive = SharpnessAwareObjective.Perturbation(parameters, 2.0, adaptive: true);
        double scaledNorm = Math.Sqrt(adaptive.Select((e, i) => (double)(e / parameters[i].detach().abs()).square().sum().item<float>()).Sum());
        Assert.Equal(2.0, scaledNorm, 4);
    }

    [Fact]
    public void Smoothed_cross_entropy_puts_one_minus_s_on_the_label_and_spreads_s_over_the_others()
    {
        var logits = tensor(new float[] { 2f, 0f, -1f, 0.5f, 0.5f, 3f }, [2, 3]);
        var labels = tensor(new long[] { 0, 2 });
        Assert.True(SharpnessAwareObjective.SmoothedCrossEntropy(logits, labels, 0).allclose(nn.functional.cross_entropy(logits, labels), atol: 1e-6));
        var logp = logits.log_softmax(1);
        float expected = -(0.9f * logp[0, 0] + 0.05f * logp[0, 1] + 0.05f * logp[0, 2] + 0.05f * logp[1, 0] + 0.05f * logp[1, 1] + 0.9f * logp[1, 2]).item<float>() / 2;
        Assert.Equal(expected, SharpnessAwareObjective.SmoothedCrossEntropy(logits, labels, 0.1).item<float>(), 5);
    }

    [Fact]
    public void FT_SAM_removes_a_planted_backdoor_that_plain_fine_tuning_with_the_same_schedule_keeps()
    {
        var planted = fixture.Planted;
        var before = planted.Evaluate(planted.Model);
        using var sam = new FtSamDefense(new FtSamOptions(Epochs: 30, BatchSize: 32, LearningRate: 0.05, Rho: 2)).Run(planted.Context()).Model;
        using var ft = new FineTuningDefense(new FineTuningOptions(Epochs: 30, BatchSize: 32, LearningRate: 0.05)).Run(planted.Context()).Model;
        var afterSam = planted.Evaluate(sam);
        var afterFt = planted.Evaluate(ft);
        Assert.True(before.AttackSuccessRate > 0.9);
        Assert.True(afterFt.AttackSuccessRate > 0.9, $"FT: ASR {afterFt.AttackSuccessRate:P1}");
        Assert.True(afterSam.AttackSuccessRate < 0.2, $"FT-SAM: ASR {before.AttackSuccessRate:P1} -> {afterSam.AttackSuccessRate:P1}");
        Assert.True(afterSam.Accuracy > 0.9, $"ACC {afterSam.Accuracy:P1}");
    }
}
