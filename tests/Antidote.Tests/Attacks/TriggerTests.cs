using Antidote.Attacks;
using Antidote.Attacks.Blended;
using Antidote.Core;
using Antidote.Data;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class TriggerTests
{
    private static DatasetInfo Info(int channels, int side) =>
        new("t", channels, side, side, 10, new float[channels], Enumerable.Repeat(1f, channels).ToArray(), 0, false);

    private static IAttack Create(string name, DatasetInfo info, AttackSettings? settings = null) => Components.Attack(name, info, settings);

    /// <summary>Blended with <paramref name="image"/> as its trigger image (a PNG file, as a user gives it).</summary>
    private static BlendedAttack Blend(DatasetInfo info, Tensor image, double alpha = 0.2)
    {
        using var folder = new TempDirectory();
        ImageFile.WritePng(folder.File("trigger.png"), image);
        return (BlendedAttack)Components.Attack("blended", info, options: new BlendedOptions(Alpha: alpha, TriggerImage: folder.File("trigger.png")));
    }

    [Theory]
    [InlineData(32, 3, 29)] // BackdoorBench CIFAR: rows/cols 29-31
    [InlineData(28, 1, 25)] // Fashion-MNIST: 3 px, rows/cols 25-27
    [InlineData(64, 3, 58)] // Tiny-ImageNet: 6 px
    public void BadNets_whitens_exactly_the_bottom_right_square(int side, int channels, int first)
    {
        var images = full(2, channels, side, side, 0.25f);
        var triggered = Create("badnets", Info(channels, side)).ApplyTrigger(images);
        var expected = images.clone();
        expected[TensorIndex.Ellipsis, TensorIndex.Slice(first, side), TensorIndex.Slice(first, side)] = 1f;
        Assert.True(triggered.eq(expected).all().item<bool>());
        Assert.Equal(0.25f, images[0, 0, side - 1, side - 1].item<float>()); // the kernel is pure
    }

    [Fact]
    public void Blended_mixes_image_and_trigger_with_alpha()
    {
        var trigger = full(1, 4, 4, 1f);
        var attack = Blend(Info(1, 4), trigger, alpha: 0.2);
        var triggered = attack.ApplyTrigger(full(1, 1, 4, 4, 0.5f));
        Assert.True(triggered.allclose(full(1, 1, 4, 4, 0.8f * 0.5f + 0.2f)));
    }

    [Fact]
    public void Blended_resizes_the_trigger_and_converts_colour_to_gray()
    {
        var rgb = zeros(3, 8, 8);
        rgb[0] = ones(8, 8); // pure red
        var attack = Blend(Info(1, 4), rgb);
        Assert.Equal([1, 4, 4], attack.Trigger.shape);
        Assert.True(attack.Trigger.allclose(full(1, 4, 4, 0.299f), atol: 1e-5));
    }

    [Fact]
    public void The_default_blend_trigger_is_a_fixed_quantised_noise_pattern()
    {
        var a = ((BlendedAttack)Create("blended", Info(3, 8))).Trigger;
        var b = ((BlendedAttack)Create("blended", Info(3, 8))).Trigger;
        Assert.True(a.eq(b).all().item<bool>());
        Assert.True((a * 255f).sub(a.mul(255f).round()).abs().max().item<float>() < 1e-4);
        Assert.True(a.std().item<float>() > 0.2f);
    }

    [Fact]
    public void SIG_adds_a_horizontal_sinusoid_clipped_to_the_unit_range()
    {
        var attack = Create("sig", Info(1, 12));
        var triggered = attack.ApplyTrigger(full(1, 1, 12, 12, 0.5f));
        for (int j = 0; j < 12; j++)
        {
            float expected = 0.5f + (float)(40.0 / 255 * Math.Sin(2 * Math.PI * j * 6 / 12));
            Assert.Equal(expected, triggered[0, 0, 5, j].item<float>(), 5);
            Assert.Equal(expected, triggered[0, 0, 0, j].item<float>(), 5); // same on every row
        }
        var bright = attack.ApplyTrigger(ones(1, 1, 12, 12));
        Assert.True(bright.max().item<float>() <= 1f);
        Assert.True(attack.CleanLabel);
    }

    [Fact]
    public void SIG_refuses_all_to_all()
    {
        Assert.Throws<AntidoteException>(() => Create("sig", Info(1, 12), new AttackSettings(LabelMode: LabelMode.AllToAll)));
    }
}
