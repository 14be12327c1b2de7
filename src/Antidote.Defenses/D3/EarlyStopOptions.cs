namespace Antidote.Defenses.D3;

/// <summary>
/// D3's clean-data stopping rule: stop at the first epoch where the clean hinge is within budget and the
/// distance has grown by less than <paramref name="Tolerance"/> (relative) over the last <paramref name="Window"/> epochs.
/// The epoch is always reported; <paramref name="Enabled"/> makes the run actually stop there.
/// </summary>
public sealed record EarlyStopOptions(bool Enabled = false, int Window = 5, double Tolerance = 0.01);
