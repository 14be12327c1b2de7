using Antidote.Core.Options;

namespace Antidote.Defenses.None;

/// <summary>No options: the model is returned as it came.</summary>
public sealed record NoDefenseOptions : IDefenseOptions
{
    public void Validate() { }
}

/// <summary>The baseline every defense is compared with: a copy of the model, untouched. In a sweep it gives the
/// "no defense" row on the same clean-set sizes and seeds as the defenses.</summary>
public sealed class NoDefense : IDefense
{
    public string Name => "none";

    public DefenseOutcome Run(DefenseContext context) => new(context.CopyOfModel(), []);
}
