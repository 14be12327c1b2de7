using Antidote.Core.Runtime;
using Antidote.Training;

namespace Antidote.Defenses.FineTuning;

/// <summary>FT: minimise the clean cross-entropy on the defender's subset. The baseline D3 is built to beat.</summary>
public sealed class FineTuningDefense(FineTuningOptions options) : IDefense
{
    public string Name => "ft";

    public DefenseOutcome Run(DefenseContext context)
    {
        Seeds.SeedTorch(context.Seed, "ft");
        var model = context.CopyOfModel();
        var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, options.Settings(), new CrossEntropyObjective(),
            Seeds.Stream(context.Seed, "ft-order"), context.Log, "ft", r => context.OnEpoch?.Invoke(r, model), context.Cancel);
        return new DefenseOutcome(model, epochs);
    }
}
