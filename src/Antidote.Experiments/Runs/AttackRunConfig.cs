using Antidote.Attacks;
using Antidote.Core.Runtime;
using Antidote.Models;
using Antidote.Training;

namespace Antidote.Experiments.Runs;

/// <summary>Everything `antidote attack` ran with; saved as the run's config.json.</summary>
/// <param name="Model">The architecture's options record (it names the architecture).</param>
/// <param name="Attack">The attack's options record (it names the attack).</param>
/// <param name="EvalEvery">Evaluate ACC/ASR/RA every this many epochs (0 = only at the end).</param>
public sealed record AttackRunConfig(
    string Dataset,
    IModelOptions Model,
    IAttackOptions Attack,
    AttackSettings Settings,
    TrainingSettings Training,
    long Seed = 0,
    string? DataDirectory = null,
    int EvalEvery = 1,
    ComputeSettings? Compute = null)
{
    public string ModelName => ModelCatalog.NameOf(Model);

    public string AttackName => AttackCatalog.NameOf(Attack);
}
