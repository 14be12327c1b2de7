using Antidote.Data.Batching;
using Antidote.Data.Transforms;
using static TorchSharp.torch;

namespace Antidote.Tests.Data;

public class TransformsTests
{
    [Fact]
    public void Random_crop_shifts_each_image_by_at_most_the_padding_and_fills_with_zeros()
    {
        manual_seed(3);
        // Each image has a single bright pixel at (5, 5) of 10×10.
        var batch = zeros(16, 1, 10, 10);
        batch[TensorIndex.Colon, 0, 5, 5] = 1f;
        var cropped = new TrainAugmentation(cropPadding: 2, horizontalFlip: false).Apply(batch);
        Assert.Equal(batch.shape, cropped.shape);
        for (int n = 0; n < 16; n++)
        {
            var position = cropped[n, 0].flatten().argmax().item<long>();
            long row = position / 10, col = position % 10;
            Assert.InRange(row, 3, 7);
            Assert.InRange(col, 3, 7);
            Assert.Equal(1f, cropped[n].sum().item<float>());
        }
    }

    [Fact]
    public void Without_padding_or_flip_the_batch_is_unchanged()
    {
        var batch = rand(4, 3, 8, 8);
        Assert.True(TrainAugmentation.None.Apply(batch).eq(batch).all().item<bool>());
    }

    [Fact]
    public void Flip_mirrors_some_images_and_leaves_the_others()
    {
        manual_seed(1);
        var batch = arange(8, dtype: ScalarType.Float32).view(1, 1, 1, 8).expand(64, 1, 2, 8).contiguous();
        var flipped = new TrainAugmentation(0, horizontalFlip: true).Apply(batch);
        int mirrored = 0;
        for (int n = 0; n < 64; n++)
        {
            bool same = flipped[n].eq(batch[n]).all().item<bool>();
            bool mirror = flipped[n].eq(batch[n].flip(2)).all().item<bool>();
            Assert.True(same || mirror);
            if (mirror) mirrored++;
        }
        Assert.InRange(mirrored, 16, 48);
    }

    [Fact]
    public void Shuffled_batches_cover_every_row_once_and_repeat_with_the_seed()
    {
        var first = IndexBatches.Shuffled(10, 4, new Random(5)).ToList();
        Assert.Equal([4, 4, 2], first.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), first.SelectMany(b => b).Order());
        Assert.Equal(first.SelectMany(b => b), IndexBatches.Shuffled(10, 4, new Random(5)).SelectMany(b => b));
    }

    [Fact]
    public void Normalization_subtracts_the_mean_and_divides_by_the_std_per_channel()
    {
        using var norm = new Normalization([0.5f, 0f], [0.25f, 2f], CPU);
        var x = ones(1, 2, 1, 1);
        var y = norm.Apply(x);
        Assert.Equal(2f, y[0, 0, 0, 0].item<float>());
        Assert.Equal(0.5f, y[0, 1, 0, 0].item<float>());
    }

    [Theory]
    [InlineData("cifar10", true)]
    [InlineData("cifar100", false)]
    [InlineData("fashion-mnist", false)]
    public void Training_flips_horizontally_only_where_BackdoorBench_does(string dataset, bool flips)
    {
        var augmentation = TrainAugmentation.For(Antidote.Data.DatasetCatalog.Default.Get(dataset).Info);
        Assert.Equal(flips, augmentation.HorizontalFlip);
        Assert.Equal(4, augmentation.CropPadding);
    }
}
