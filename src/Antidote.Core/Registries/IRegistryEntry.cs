namespace Antidote.Core.Registries;

/// <summary>What every registered component says about itself (shown by <c>antidote list</c>).</summary>
public interface IRegistryEntry
{
    /// <summary>The name users type, lower-case with dashes.</summary>
    string Name { get; }

    /// <summary>One line saying what it is.</summary>
    string Summary { get; }

    /// <summary>Where its definition and defaults come from (paper, reference code).</summary>
    string Source { get; }
}
