using TorchSharp;
using Antidote.Core;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using static TorchSharp.torch;

namespace Antidote.Experiments.Runs;

/// <summary>Saves and restores a run folder's model: weights plus the model card that says how to rebuild it.</summary>
public static class RunModel
{
    public static void Save(string directory, ImageClassifier model, ModelCard card)
    {
        ModelCheckpoint.Save(model, Path.Combine(directory, RunFiles.Weights));
        RunJson.Write(Path.Combine(directory, RunFiles.ModelCard), card);
    }

    /// <summary>A run folder's model card, its spec present and valid (a problem is named with the card's path).</summary>
    public static ModelCard ReadCard(string directory)
    {
        string cardPath = Path.Combine(directory, RunFiles.ModelCard);
        var card = RunJson.Read<ModelCard>(cardPath);
        if (card.Spec is null)
            throw new AntidoteException($"{cardPath}: no model spec");
        try
        {
            card.Spec.Validate();
        }
        catch (AntidoteException e)
        {
            throw new AntidoteException($"{cardPath}: {e.Message}", e);
        }
        return card;
    }

    public static (ImageClassifier Model, ModelCard Card) Load(string directory, Device device)
    {
        var card = ReadCard(directory);
        var model = ModelCatalog.Create(card.Spec);
        ModelCheckpoint.Load(model, Path.Combine(directory, RunFiles.Weights));
        model.to(device);
        model.eval();
        return (model, card);
    }
}
