using Antidote.Core.Runtime;
using Antidote.Experiments.Benchmark;
using Antidote.Models;
using Antidote.Models.SmallCnn;
using static TorchSharp.torch;

namespace Antidote.Tests.Experiments.Benchmark;

public class StepVariantsTests
{
    [Fact]
    public void Channels_last_keeps_every_value_and_stores_channels_innermost()
    {
        using var x = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        using var nhwc = StepVariants.ToChannelsLast(x);
        Assert.Equal(x.shape, nhwc.shape);
        Assert.True(nhwc.eq(x).all().item<bool>());
        Assert.Equal([60L, 1L, 15L, 3L], nhwc.stride());
    }

    [Fact]
    public void A_model_with_channels_last_weights_and_inputs_computes_what_the_contiguous_one_does()
    {
        manual_seed(3);
        using var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 6, Hidden: 16), 1, 10, 28, 28));
        model.eval();
        using var x = rand(8, 1, 28, 28);
        using var _ = no_grad();
        using var expected = model.call(x);
        foreach (var parameter in model.parameters().Where(p => p.dim() == 4))
            parameter.set_(StepVariants.ToChannelsLast(parameter));
        using var actual = model.call(StepVariants.ToChannelsLast(x));
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Without_onednn_convolutions_stay_correct_and_the_kernels_come_back_after()
    {
        TorchRuntime.EnsureReady();
        var shape = new ConvolutionShape(6, 12, 3, 1, 1, Size: 28, Batch: 8);
        var before = ConvolutionSelfCheck.Float32Results(shape, new Generator(5));
        string? failure = "not run";
        if (!TorchRuntime.TryRunWithoutOneDnn(() => failure = ConvolutionSelfCheck.FirstFailure(ConvolutionSelfCheck.Probes)))
            return; // a libtorch without the switch: nothing to check
        Assert.Null(failure);
        var after = ConvolutionSelfCheck.Float32Results(shape, new Generator(5));
        Assert.All(before.Zip(after), pair => Assert.Equal(pair.First, pair.Second));
    }

    [Fact]
    public void The_table_gives_each_variant_relative_to_its_models_default_row()
    {
        string table = StepVariants.Format(
        [
            new("small-cnn w32", "default", 1000, 2000),
            new("small-cnn w32", "channels-last tensors", 1500, 3000),
            new("small-cnn w32", "eval batch 128", null, 1000),
            new("preact-resnet18 w16", "default", 100, 400),
            new("preact-resnet18 w16", "1 thread", 50, 400),
        ]);
        Assert.Contains("| small-cnn w32 | channels-last tensors | 1500 | 1.50 | 3000 | 1.50 |", table);
        Assert.Contains("| small-cnn w32 | eval batch 128 | - | - | 1000 | 0.50 |", table);
        Assert.Contains("| preact-resnet18 w16 | 1 thread | 50 | 0.50 | 400 | 1.00 |", table);
    }
}
