using Antidote.Core.Logging;

namespace Antidote.Experiments.Logging;

/// <summary>Sends everything to two logs (the console and the run's log file).</summary>
public sealed class TeeRunLog(IRunLog first, IRunLog second) : IRunLog
{
    public void Info(string message)
    {
        first.Info(message);
        second.Info(message);
    }

    public void Progress(ProgressUpdate update)
    {
        first.Progress(update);
        second.Progress(update);
    }
}
