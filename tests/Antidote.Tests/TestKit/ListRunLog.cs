using Antidote.Core.Logging;

namespace Antidote.Tests.TestKit;

/// <summary>Keeps every line and progress update, so a test can ask what a run reported.</summary>
public sealed class ListRunLog : IRunLog
{
    public List<string> Lines { get; } = [];

    public void Info(string message) => Lines.Add(message);

    public void Progress(ProgressUpdate update) => Lines.Add($"progress: {update}");
}
