namespace Antidote.Core.Logging;

/// <summary>Where a loop stands: stage, epoch and step counters, the running loss and the time left.</summary>
public sealed record ProgressUpdate(string Stage, int Epoch, int Epochs, int Step, int Steps, double Loss, TimeSpan? Remaining);
