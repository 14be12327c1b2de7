using System.Diagnostics;
using Antidote.Core.Logging;

namespace Antidote.Cli.Terminal;

/// <summary>
/// Info lines on stdout; on a terminal, a progress line redrawn in place (stage, epoch, step, loss, ETA).
/// When stdout is redirected (logs, CI) only the plain info lines appear.
/// </summary>
public sealed class ConsoleRunLog : IRunLog
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private int _drawnWidth;

    public void Info(string message)
    {
        Clear();
        Console.WriteLine(message);
    }

    public void Progress(ProgressUpdate u)
    {
        if (!_interactive || (_sinceDraw.ElapsedMilliseconds < 200 && u.Step != u.Steps)) return;
        _sinceDraw.Restart();
        string eta = u.Remaining is TimeSpan r ? $" eta {r:hh\\:mm\\:ss}" : "";
        string line = $"{u.Stage} epoch {u.Epoch}/{u.Epochs} step {u.Step}/{u.Steps} loss {u.Loss:F4}{eta}";
        Console.Write("\r" + line.PadRight(_drawnWidth));
        _drawnWidth = line.Length;
    }

    private void Clear()
    {
        if (_drawnWidth == 0) return;
        Console.Write("\r" + new string(' ', _drawnWidth) + "\r");
        _drawnWidth = 0;
    }
}
