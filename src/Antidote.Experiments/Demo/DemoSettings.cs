using Antidote.Core.Runtime;
using Antidote.Defenses.D3;

namespace Antidote.Experiments.Demo;

/// <summary>The demo: BadNets at 10% on Fashion-MNIST, then FT and D3 on 5% clean data.</summary>
/// <param name="Quick">Tiny epochs: checks the pipeline end to end, not the numbers (CI smoke run).</param>
/// <param name="D3">D3's options: its defaults unless the command line says otherwise (the same defaults as `defend`).</param>
/// <param name="DefenseEpochs">Epochs of FT and D3; null = D3's default, for both (FT on the same schedule).</param>
public sealed record DemoSettings(
    string Out = "runs/demo",
    long Seed = 0,
    bool Quick = false,
    string? DataDirectory = null,
    ComputeSettings? Compute = null,
    string Model = "small-cnn",
    int AttackEpochs = 10,
    int? DefenseEpochs = null,
    D3Options? D3 = null)
{
    public int AttackEpochsToRun => Quick ? 1 : AttackEpochs;

    public int DefenseEpochsToRun => Quick ? 2 : DefenseEpochs ?? D3OrDefault.Epochs;

    public D3Options D3OrDefault => D3 ?? new D3Options();

    /// <summary>D3 as the demo runs it; the quick check drops the step floor too, or 2 epochs would become 50.</summary>
    public D3Options D3ToRun => Quick ? D3OrDefault with { Epochs = 2, MinSteps = 0 } : D3OrDefault with { Epochs = DefenseEpochsToRun };
}
