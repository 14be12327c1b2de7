namespace Antidote.Defenses;

/// <summary>A post-training defense: takes the context, returns a new model (the input stays untouched).</summary>
public interface IDefense
{
    string Name { get; }

    DefenseOutcome Run(DefenseContext context);
}
