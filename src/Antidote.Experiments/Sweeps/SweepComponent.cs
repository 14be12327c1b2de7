namespace Antidote.Experiments.Sweeps;

/// <summary>A model of a sweep: its options record and the label its rows carry ("preact-resnet18+width=16").</summary>
public sealed record SweepComponent<TOptions>(string Label, TOptions Options);
