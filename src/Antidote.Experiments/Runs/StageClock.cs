using System.Diagnostics;
using System.Globalization;

namespace Antidote.Experiments.Runs;

/// <summary>Wall time of one stage of a run: loading the data, making the trigger, training, scoring the test sets, saving.</summary>
public sealed record StageTime(string Stage, double Seconds);

/// <summary>Times a run's stages one after another: each <see cref="Lap"/> closes the stage that was running, so the stages
/// add up to the time from the clock's start to the last lap (only what follows the last lap, writing the summary itself,
/// goes uncounted).</summary>
public sealed class StageClock
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<StageTime> _stages = [];

    /// <summary>Closes <paramref name="stage"/> and returns its seconds.</summary>
    public double Lap(string stage)
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        _stages.Add(new StageTime(stage, seconds));
        _clock.Restart();
        return seconds;
    }

    public IReadOnlyList<StageTime> Stages => _stages;

    /// <summary>"data 3 s, train 335 s, evaluate 11 s".</summary>
    public static string Describe(IReadOnlyList<StageTime> stages) =>
        string.Join(", ", stages.Select(s => $"{s.Stage} {s.Seconds.ToString("F0", CultureInfo.InvariantCulture)} s"));
}
