using Antidote.Attacks;
using Antidote.Attacks.LowFrequency;
using Antidote.Core;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class LowFrequencyTests
{
    /// <summary>Share of the (mean-free) pattern's spectral energy at spatial frequencies of at most <paramref name="cycles"/>
    /// cycles per image on each axis.</summary>
    private static double LowFrequencyShare(Tensor pattern, int cycles)
    {
        using var scope = NewDisposeScope();
        var x = pattern - pattern.mean([-2L, -1L], keepdim: true);
        var power = fft.fft2(x).abs().square();
        long h = pattern.shape[^2], w = pattern.shape[^1];
        var fy = fft.fftfreq(h, 1.0 / h).abs().le(cycles).view(h, 1);
        var fx = fft.fftfreq(w, 1.0 / w).abs().le(cycles).view(1, w);
        var low = fy.logical_and(fx);
        return (power * low).sum().item<float>() / power.sum().item<float>();
    }

    [Fact]
    public void The_filter_keeps_the_low_frequencies_of_noise_and_removes_the_rest()
    {
        using var scope = NewDisposeScope();
        var noise = rand([1, 3, 32, 32], generator: new Generator().manual_seed(1));
        Assert.True(LowFrequencyShare(noise, 4) < 0.15, "white noise is broadband");
        var smooth = LowFrequencyAttack.Smooth(noise, 6);
        Assert.Equal(noise.shape, smooth.shape);
        Assert.True(LowFrequencyShare(smooth, 4) > 0.95, $"{LowFrequencyShare(smooth, 4):F3} of the energy at ≤ 4 cycles");
    }

    [Fact]
    public void The_attack_pattern_is_low_pass_and_spans_zero_to_its_bound()
    {
        using var scope = NewDisposeScope();
        // A clean model of the learnable quadrant images: on random images a 1-epoch model sends every image to one class,
        // DeepFool has nothing to do, and the pattern stays zero.
        var info = QuadrantImages.Info(side: 16, channels: 1);
        using var train = QuadrantImages.Create(128, side: 16, seed: 1);
        var options = new LowFrequencyOptions(Bound: 0.2, Sigma: 3, Images: 8, Passes: 2, DeepFoolSteps: 30, HeldImages: 32, CleanModelEpochs: 2);
        using var attack = new LowFrequencyAttack(new AttackRequest(info, new AttackSettings(Target: 0), options), options);
        attack.Prepare(Components.Preparation(info) with { CleanTrain = train });
        var pattern = attack.Pattern;
        Assert.Equal(new long[] { 1, 16, 16 }, pattern.shape);
        Assert.Equal(0f, pattern.min().item<float>(), 5);
        Assert.Equal(0.2f, pattern.max().item<float>(), 5);
        Assert.True(LowFrequencyShare(pattern, 3) > 0.9, $"{LowFrequencyShare(pattern, 3):F3} of the energy at ≤ 3 cycles");
        var images = rand([2, 1, 16, 16], generator: new Generator().manual_seed(2));
        Assert.True((attack.ApplyTrigger(images) - (images + pattern).clamp(0, 1)).abs().max().item<float>() == 0);
    }

    [Fact]
    public void Targeted_deepfool_reaches_the_target_class()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var preparation = Components.Preparation(info);
        manual_seed(11);
        using var model = preparation.CreateModel();
        model.eval();
        var image = rand([1, 1, 12, 12], generator: new Generator().manual_seed(4));
        long before = model.call(preparation.Pipeline.Normalize(image)).argmax(1).item<long>();
        int target = (int)((before + 1) % info.Classes);
        var (step, converged) = LowFrequencyAttack.TargetedDeepFool(model, preparation.Pipeline, image, target, 0.02, 50);
        Assert.True(converged);
        Assert.Equal(target, model.call(preparation.Pipeline.Normalize(image + step)).argmax(1).item<long>());
    }

    [Fact]
    public void A_backdoorbench_pattern_file_is_added_as_it_is_and_a_wrong_shape_is_refused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 4, channels: 3);
        // (H, W, C) uint8 as BackdoorBench ships them: values 0..51.
        byte[] hwc = Enumerable.Range(0, 4 * 4 * 3).Select(i => (byte)(i % 52)).ToArray();
        File.WriteAllBytes(folder.File("lf.npy"), NpyWriter.Bytes("|u1", [4, 4, 3], hwc));
        var options = new LowFrequencyOptions(PatternFile: folder.File("lf.npy"));
        using var attack = (LowFrequencyAttack)Components.Attack("lf", info, new AttackSettings(), options);
        Assert.Equal(hwc[1 * 12 + 2 * 3 + 1] / 255f, attack.Pattern[1, 1, 2].item<float>(), 6);
        attack.SaveArtifacts(folder.Path);
        using var rebuilt = new LowFrequencyAttack(new AttackRequest(info, new AttackSettings(), options), options);
        rebuilt.LoadArtifacts(folder.Path);
        Assert.True(rebuilt.Pattern.allclose(attack.Pattern, rtol: 0, atol: 0));

        var gray = QuadrantImages.Info(side: 4, channels: 1);
        var error = Assert.Throws<AntidoteException>(() => LowFrequencyAttack.ReadPatternFile(folder.File("lf.npy"), gray));
        Assert.Contains("does not fit", error.Message);
    }
}
