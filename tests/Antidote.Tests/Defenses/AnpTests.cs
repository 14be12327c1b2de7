using Antidote.Core;
using Antidote.Defenses;
using Antidote.Defenses.Anp;
using Antidote.Models;
using Antidote.Tests.TestKit;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class AnpTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void The_perturbable_norm_loads_a_batch_norm_and_matches_it_until_masked_or_perturbed()
    {
        var standard = nn.BatchNorm2d(3);
        using (no_grad())
        {
            standard.weight!.copy_(tensor(new[] { 1.5f, -0.5f, 2f }));
            standard.bias!.copy_(tensor(new[] { 0.1f, 0.2f, -0.3f }));
            standard.running_mean!.copy_(tensor(new[] { 0.3f, -0.2f, 0.1f }));
            standard.running_var!.copy_(tensor(new[] { 2f, 0.5f, 1f }));
        }
        var perturbable = new PerturbableBatchNorm2d(3);
        perturbable.load_state_dict(standard.state_dict(), strict: false);
        standard.eval();
        perturbable.eval();
        var x = randn(2, 3, 4, 4);
        using var noGrad = no_grad();
        Assert.True(perturbable.call(x).allclose(standard.call(x), 1e-6, 1e-6));

        perturbable.Mask[1] = 0; // a masked neuron outputs its shift β alone
        Assert.True(perturbable.call(x)[TensorIndex.Colon, 1].allclose(full_like(x[TensorIndex.Colon, 1], 0.2f)));
        perturbable.RandomizeNoise(0.4, new Generator(3));
        Assert.All(perturbable.Noise, n => Assert.True(n.abs().max().item<float>() <= 0.4f));
        perturbable.Perturbed = true;
        Assert.False(perturbable.call(x).allclose(standard.call(x)));
    }

    [Fact]
    public void A_fixed_threshold_zeroes_batch_norm_weights_only_and_a_chosen_one_keeps_held_out_accuracy_within_budget()
    {
        var planted = fixture.Planted;
        var fixedRun = new AnpDefense(new AnpOptions(Iterations: 300, BatchSize: 32, Threshold: 0.95)).Run(planted.Context());
        using var fixedModel = fixedRun.Model;
        var changed = fixedModel.state_dict().Where(kv => !kv.Value.eq(planted.Model.state_dict()[kv.Key]).all().item<bool>()).Select(kv => kv.Key).ToList();
        Assert.All(changed, key => Assert.Matches(@"^bn\d\.weight$", key));
        long zeroed = fixedModel.modules().OfType<BatchNorm2d>().Sum(bn => bn.weight!.eq(0).sum().item<long>());
        Assert.Equal(fixedRun.Facts!["pruned_neurons"], zeroed);
        Assert.InRange(zeroed, 1, 23); // of bn1 (8) and bn2 (16)

        var chosen = new AnpDefense(new AnpOptions(Iterations: 300, BatchSize: 32)).Run(planted.Context());
        chosen.Model.Dispose();
        Assert.True(chosen.Facts!["holdout_acc_pruned"] > 0.9 * chosen.Facts["holdout_acc_unpruned"]);
        Assert.InRange(chosen.Facts["threshold"], 0, 0.9);
    }

    [Fact]
    public void A_model_without_batch_norm_is_refused_in_one_line()
    {
        var spec = new ModelSpec(Components.Model("vit"), 1, 4, 12, 12);
        var vit = ModelCatalog.Create(spec);
        var context = new DefenseContext(vit, fixture.Planted.Clean, norm => ModelCatalog.Create(spec, norm), fixture.Planted.Pipeline, 0,
            Antidote.Core.Logging.NullRunLog.Instance);
        var error = Assert.Throws<AntidoteException>(() => new AnpDefense(new AnpOptions()).Run(context));
        Assert.Contains("anp does not apply to VisionTransformer", error.Message);
    }
}
