namespace Antidote.Core.Options;

/// <summary>An options field out of range. <see cref="Path"/> is the field's property path ("Dual.Step"), which each edge
/// turns into its own spelling (the CLI's "--d3-dual-step", a JSON file's "dual.step").</summary>
public sealed class InvalidOptionException(IReadOnlyList<string> path, string problem)
    : AntidoteException($"{string.Join(".", path.Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName))} {problem}")
{
    public IReadOnlyList<string> Path { get; } = path;

    /// <summary>"must be > 0, got 0".</summary>
    public string Problem { get; } = problem;

    /// <summary>The same problem, seen from the record that holds this one as <paramref name="field"/>.</summary>
    public InvalidOptionException Within(string field) => new([field, .. Path], Problem);
}
