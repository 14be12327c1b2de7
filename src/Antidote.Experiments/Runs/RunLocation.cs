namespace Antidote.Experiments.Runs;

/// <summary>Where a run folder goes: the parent folder, its name, and whether an existing one may be replaced.</summary>
public sealed record RunLocation(string Parent, string Name, bool Force = false)
{
    public string Path => System.IO.Path.Combine(Parent, Name);
}
