using Antidote.Core.Options;
using Antidote.Core.Registries;

namespace Antidote.Defenses;

/// <summary>A registered defense: its name, a line about it, its source, its options record and its factory.</summary>
public sealed record DefenseEntry(string Name, string Summary, string Source, Type OptionsType, Func<IDefenseOptions, IDefense> Create) : IComponentEntry
{
    /// <summary>An entry whose factory takes its own options record.</summary>
    /// <param name="smoke">The defense cut down to run on a tiny planted backdoor in seconds.</param>
    public static DefenseEntry Of<TOptions>(string name, string summary, string source, TOptions smoke, Func<TOptions, IDefense> create)
        where TOptions : IDefenseOptions =>
        new(name, summary, source, typeof(TOptions), options => create((TOptions)options)) { SmokeOptions = smoke };

    public IComponentOptions SmokeOptions { get; init; } = null!;

    /// <summary>True when every step of the defense runs in bfloat16 under <c>--precision bf16</c> (training through the trainer
    /// with a checked objective, scoring through the evaluator); the others refuse it at the command line.</summary>
    public bool SupportsBFloat16 { get; init; }

    public IDefenseOptions DefaultOptions => (IDefenseOptions)((IComponentEntry)this).DefaultOptions();
}
