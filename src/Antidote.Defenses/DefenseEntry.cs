using Antidote.Core.Registries;

namespace Antidote.Defenses;

/// <summary>A registered defense.</summary>
public sealed record DefenseEntry(string Name, string Summary, string Source, Func<DefenseOptions, IDefense> Create) : IRegistryEntry;
