namespace Antidote.Core.Logging;

/// <summary>Where long-running work reports what it is doing.</summary>
public interface IRunLog
{
    /// <summary>A line worth keeping (epoch summaries, results).</summary>
    void Info(string message);

    /// <summary>A transient progress update; a terminal may redraw it in place, a log file may skip it.</summary>
    void Progress(ProgressUpdate update);
}
