namespace Antidote.Core.Logging;

/// <summary>Discards everything (tests, library callers who do not care).</summary>
public sealed class NullRunLog : IRunLog
{
    public static readonly NullRunLog Instance = new();

    public void Info(string message) { }

    public void Progress(ProgressUpdate update) { }
}
