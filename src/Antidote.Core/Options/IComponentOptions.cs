namespace Antidote.Core.Options;

/// <summary>
/// The options of one registered component (an attack, a defense, a model): a plain record whose every parameter has a
/// default, so "{}" is the component's default configuration. Each parameter carries a
/// <see cref="System.ComponentModel.DescriptionAttribute"/> (what it is and where its default comes from), which the
/// CLI shows as the option's help. Edges (CLI, JSON files) build it; <see cref="Validate"/> is called once there.
/// </summary>
public interface IComponentOptions
{
    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first field out of range.</summary>
    void Validate();
}
