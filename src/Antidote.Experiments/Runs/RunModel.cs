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

    public static (ImageClassifier Model, ModelCard Card) Load(string directory, Device device)
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
        var model = ModelCatalog.Create(card.Spec);
        ModelCheckpoint.Load(model, Path.Combine(directory, RunFiles.Weights));
        model.to(device);
        model.eval();
        return (model, card);
    }
}
