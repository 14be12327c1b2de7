using Antidote.Core.Options;

namespace Antidote.Defenses;

/// <summary>The options record of a defense (see <see cref="IComponentOptions"/>).</summary>
public interface IDefenseOptions : IComponentOptions
{
    /// <summary>The same options with any defaults that depend on other fields spelled out: what a run records and what
    /// a sweep compares.</summary>
    IDefenseOptions Resolved() => this;
}
