using Antidote.Core.Logging;

namespace Antidote.Experiments.Logging;

/// <summary>Appends timestamped info lines to a file; progress updates are not kept.</summary>
public sealed class FileRunLog(string path) : IRunLog
{
    public void Info(string message) => File.AppendAllText(path, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss}Z {message}\n");

    public void Progress(ProgressUpdate update) { }
}
