using Antidote.Core.Runtime;
using Antidote.Defenses.D3;

namespace Antidote.Experiments.Demo;

/// <summary>The demo: BadNets at 10% on Fashion-MNIST, then FT and D3 on 5% clean data.</summary>
/// <param name="Quick">Tiny epochs: checks the pipeline end to end, not the numbers (CI smoke run).</param>
public sealed record DemoSettings(
    string Out = "runs/demo",
    long Seed = 0,
    bool Quick = false,
    string? DataDirectory = null,
    ComputeSettings? Compute = null,
    string Model = "small-cnn",
    int AttackEpochs = 10,
    int DefenseEpochs = 100,
    double Lambda = 0.5)
{
    public int AttackEpochsToRun => Quick ? 1 : AttackEpochs;

    public int DefenseEpochsToRun => Quick ? 2 : DefenseEpochs;
}
