using Antidote.Core.Options;

namespace Antidote.Core.Registries;

/// <summary>A registered component that is configured by its own options record.</summary>
public interface IComponentEntry : IRegistryEntry
{
    /// <summary>The record type of its options (an <see cref="IComponentOptions"/> whose parameters all have defaults).</summary>
    Type OptionsType { get; }
}

/// <summary>The default options of an entry.</summary>
public static class ComponentEntryExtensions
{
    public static IComponentOptions DefaultOptions(this IComponentEntry entry) => OptionsJson.Defaults(entry.OptionsType);
}
