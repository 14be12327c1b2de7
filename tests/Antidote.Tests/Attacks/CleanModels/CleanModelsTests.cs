using Antidote.Attacks;
using Antidote.Attacks.CleanModels;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks.CleanModels;

public class CleanModelsTests
{
    [Fact]
    public void The_same_recipe_is_trained_once_and_then_loaded_from_the_cache_with_the_same_weights()
    {
        using var scope = NewDisposeScope();
        using var cache = new TempDirectory();
        var info = QuadrantImages.Info();
        var log = new ListRunLog();
        var context = Components.Preparation(info) with { CacheFolder = cache.Path, Log = log };
        var recipe = new CleanModelRecipe("clean-model", 1);
        using var trained = Antidote.Attacks.CleanModels.CleanModels.Obtain(context, info, recipe, "test");
        Assert.Single(Directory.GetFiles(cache.Path, "*.weights"));
        Assert.DoesNotContain(log.Lines, l => l.Contains("loaded from"));

        using var loaded = Antidote.Attacks.CleanModels.CleanModels.Obtain(context, info, recipe, "test");
        Assert.Contains(log.Lines, l => l.Contains("clean model loaded from"));
        foreach (var ((name, a), (_, b)) in trained.state_dict().Zip(loaded.state_dict()))
            Assert.True(a.allclose(b, rtol: 0, atol: 0), name);
    }

    [Fact]
    public void Another_seed_recipe_or_training_set_is_another_model()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info();
        var context = Components.Preparation(info);
        using var model = context.CreateModel();
        var recipe = new CleanModelRecipe("clean-model", 1);
        string key = Antidote.Attacks.CleanModels.CleanModels.Key(context, info, recipe, model);
        Assert.Equal(key, Antidote.Attacks.CleanModels.CleanModels.Key(context, info, recipe, model));
        Assert.NotEqual(key, Antidote.Attacks.CleanModels.CleanModels.Key(context with { Seed = 1 }, info, recipe, model));
        Assert.NotEqual(key, Antidote.Attacks.CleanModels.CleanModels.Key(context, info, recipe with { Epochs = 2 }, model));
        using var other = new Antidote.Data.ImageDataset(context.CleanTrain.Images.clone().add_(0.01f), context.CleanTrain.Labels.clone());
        Assert.NotEqual(key, Antidote.Attacks.CleanModels.CleanModels.Key(context with { CleanTrain = other }, info, recipe, model));
    }

    [Fact]
    public void An_unreadable_cached_model_is_trained_again()
    {
        using var scope = NewDisposeScope();
        using var cache = new TempDirectory();
        var info = QuadrantImages.Info();
        var log = new ListRunLog();
        var context = Components.Preparation(info) with { CacheFolder = cache.Path, Log = log };
        var recipe = new CleanModelRecipe("clean-model", 1);
        using (Antidote.Attacks.CleanModels.CleanModels.Obtain(context, info, recipe, "test")) { }
        string file = Directory.GetFiles(cache.Path, "*.weights").Single();
        File.WriteAllBytes(file, [1, 2, 3]);
        using var again = Antidote.Attacks.CleanModels.CleanModels.Obtain(context, info, recipe, "test");
        Assert.Contains(log.Lines, l => l.Contains("unreadable") && l.Contains("training it again"));
        Assert.True(new FileInfo(file).Length > 3);
    }
}
