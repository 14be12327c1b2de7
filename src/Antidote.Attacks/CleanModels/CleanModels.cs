using System.Text;
using Antidote.Core;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.CleanModels;

/// <summary>How an attack's clean model is trained: BackdoorBench's attack schedule for <paramref name="Epochs"/> epochs on
/// the clean training set, with the objective <paramref name="Objective"/> names, from the seed streams named
/// <paramref name="SeedPurpose"/> ("-init", "-order"). Attacks that ask for the same recipe share one model.</summary>
public sealed record CleanModelRecipe(string SeedPurpose, int Epochs, string Objective = "cross-entropy");

/// <summary>
/// The clean models attacks compute their triggers against (LF's universal perturbation, TrojanNN's neurons, label-consistent's
/// surrogate). BackdoorBench reads these from files trained elsewhere; Antidote trains them with its own trainer and keeps
/// each in the attack's cache folder under a key of everything that made it (recipe, seed, architecture, dataset shape and
/// the training images themselves), so a second attack run with the same settings loads it instead of training again.
/// </summary>
public static class CleanModels
{
    /// <summary>The model for <paramref name="recipe"/>: loaded from the cache when it holds one, else trained (and cached).</summary>
    /// <param name="objective">The objective <paramref name="recipe"/>'s <c>Objective</c> names; null = cross-entropy.</param>
    public static ImageClassifier Obtain(AttackPreparation context, DatasetInfo info, CleanModelRecipe recipe, string title,
        ITrainingObjective? objective = null)
    {
        Seeds.SeedTorch(context.Seed, recipe.SeedPurpose + "-init");
        var model = context.CreateModel();
        model.to(context.Pipeline.Device);
        string[]? cached = AttackCache.Files(context, Facts(context, info, recipe, model), ".weights");
        if (AttackCache.TryLoad(context, $"{title}: clean model", cached, model))
        {
            model.eval();
            return model;
        }
        context.Log.Info($"{title}: training a clean model ({recipe.Epochs} epochs, {recipe.Objective}, on {context.CleanTrain.Count} clean images)");
        Trainer.Train(model, context.CleanTrain, context.Pipeline, TrainingSettings.BackdoorBenchAttack(recipe.Epochs),
            objective ?? new CrossEntropyObjective(), Seeds.Stream(context.Seed, recipe.SeedPurpose + "-order"), context.Log, title,
            cancel: context.Cancel);
        model.eval();
        AttackCache.Save(cached, model);
        return model;
    }

    /// <summary>The standard clean model LF and TrojanNN compute against (one recipe, so they share it), or the user's
    /// <paramref name="file"/> when given.</summary>
    public static ImageClassifier Standard(AttackPreparation context, DatasetInfo info, int epochs, string? file, string attack) =>
        file is not null
            ? Load(context, file, attack)
            : Obtain(context, info, new CleanModelRecipe("clean-model", epochs), $"{attack} clean model");

    /// <summary>A clean model the user trained elsewhere (BackdoorBench's clean_model.pth, a safetensors or Antidote file), loaded
    /// into the victim's architecture after the usual shape checks.</summary>
    public static ImageClassifier Load(AttackPreparation context, string path, string title)
    {
        var model = context.CreateModel();
        try
        {
            model.to(context.Pipeline.Device);
            ModelCheckpoint.Load(model, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        context.Log.Info($"{title}: clean model read from {path}");
        return model;
    }

    /// <summary>The cache key of the recipe, the seed, the data's facts and the model's parameter names and shapes (with the
    /// training set, <see cref="AttackCache.Key"/>).</summary>
    public static string Key(AttackPreparation context, DatasetInfo info, CleanModelRecipe recipe, ImageClassifier model) =>
        AttackCache.Key(context, Facts(context, info, recipe, model));

    private static string Facts(AttackPreparation context, DatasetInfo info, CleanModelRecipe recipe, ImageClassifier model)
    {
        var facts = new StringBuilder()
            .Append($"{recipe.SeedPurpose}|{recipe.Epochs}|{recipe.Objective}|{context.Seed}|")
            .Append(AttackCache.Describe(info))
            .Append($"{model.GetType().FullName}|");
        foreach (var (name, parameter) in model.state_dict())
            facts.Append($"{name}:{string.Join("x", parameter.shape)};");
        return facts.ToString();
    }
}
