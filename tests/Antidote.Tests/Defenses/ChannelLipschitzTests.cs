using Antidote.Core;
using Antidote.Defenses;
using Antidote.Defenses.ChannelLipschitz;
using Antidote.Models;
using Antidote.Tests.TestKit;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class ChannelLipschitzTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    [Fact]
    public void A_channel_with_an_outlying_Lipschitz_bound_is_pruned_at_its_norm_layer_and_nothing_else_changes()
    {
        var planted = fixture.Planted;
        var model = planted.Model;
        var original = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        // conv2 has 16 output channels: one kernel scaled 50× stands out by more than 3 standard deviations.
        using (no_grad()) ((Conv2d)model.Module("conv2")).weight![5].mul_(50);
        try
        {
            using var defended = new ChannelLipschitzDefense(new ChannelLipschitzOptions()).Run(planted.Context()).Model;

            var bn2 = (BatchNorm2d)defended.Module("bn2");
            Assert.Equal(0, bn2.weight![5].item<float>());
            Assert.Equal(0, bn2.bias![5].item<float>());
            var changed = defended.state_dict().Where(kv => !kv.Value.eq(model.state_dict()[kv.Key]).all().item<bool>()).Select(kv => kv.Key).ToList();
            Assert.Equal(["bn2.weight", "bn2.bias"], changed);
            Assert.Equal(1, bn2.weight.eq(0).sum().item<long>());
        }
        finally
        {
            model.load_state_dict(original);
        }
    }

    [Fact]
    public void The_bound_is_the_largest_singular_value_of_the_kernel_times_the_norm_scale()
    {
        var conv = nn.Conv2d(2, 3, 3, bias: false);
        var norm = nn.BatchNorm2d(3);
        using (no_grad())
        {
            norm.weight!.copy_(tensor(new[] { 2f, -1f, 0.5f }));
            norm.running_var!.copy_(tensor(new[] { 4f, 1f, 0.25f }));
        }
        var bounds = ChannelLipschitzDefense.UpperBounds(conv.weight!, norm);
        for (int c = 0; c < 3; c++)
        {
            double sigma = linalg.svdvals(conv.weight![c].reshape(2, 9)).max().item<float>();
            double scale = Math.Abs(norm.weight![c].item<float>()) / Math.Sqrt(norm.running_var![c].item<float>() + 1e-5);
            Assert.Equal(sigma * scale, bounds[c].item<float>(), 4);
        }
    }

    [Fact]
    public void A_model_without_convolution_norm_pairs_is_refused_in_one_line()
    {
        var spec = new ModelSpec(Components.Model("vit"), 1, 4, 12, 12);
        var vit = ModelCatalog.Create(spec);
        var context = new DefenseContext(vit, fixture.Planted.Clean, _ => ModelCatalog.Create(spec), fixture.Planted.Pipeline, 0,
            Antidote.Core.Logging.NullRunLog.Instance);
        var error = Assert.Throws<AntidoteException>(() => new ChannelLipschitzDefense(new ChannelLipschitzOptions()).Run(context));
        Assert.Contains("clp does not apply to VisionTransformer", error.Message);
    }
}
