using Antidote.Core.Options;

namespace Antidote.Core.Registries;

/// <summary>A registered component that is configured by its own options record.</summary>
public interface IComponentEntry : IRegistryEntry
{
    /// <summary>The record type of its options (an <see cref="IComponentOptions"/> whose parameters all have defaults).</summary>
    Type OptionsType { get; }

    /// <summary>Options small enough for a unit test to run the component in seconds (tiny widths, one short epoch), declared by
    /// the component itself so tests over every registry entry do not depend on its field names.</summary>
    IComponentOptions SmokeOptions { get; }
}

/// <summary>The default options of an entry.</summary>
public static class ComponentEntryExtensions
{
    public static IComponentOptions DefaultOptions(this IComponentEntry entry) => OptionsJson.Defaults(entry.OptionsType);
}
