using Antidote.Core.Registries;

namespace Antidote.Defenses;

/// <summary>A registered defense: its name, a line about it, its source, its options record and its factory.</summary>
public sealed record DefenseEntry(string Name, string Summary, string Source, Type OptionsType, Func<IDefenseOptions, IDefense> Create) : IComponentEntry
{
    /// <summary>An entry whose factory takes its own options record.</summary>
    public static DefenseEntry Of<TOptions>(string name, string summary, string source, Func<TOptions, IDefense> create)
        where TOptions : IDefenseOptions =>
        new(name, summary, source, typeof(TOptions), options => create((TOptions)options));

    public IDefenseOptions DefaultOptions => (IDefenseOptions)((IComponentEntry)this).DefaultOptions();
}
