using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.D3;

/// <summary>
/// D3's clean-data stopping rule: stop at the first epoch where the clean hinge is within budget and the
/// distance has moved (grown or shrunk) by less than <paramref name="Tolerance"/> (relative) over the last <paramref name="Window"/> epochs.
/// The epoch is always reported; <paramref name="Enabled"/> makes the run actually stop there.
/// </summary>
public sealed record EarlyStopOptions(
    [Description("Stop when the clean-data rule fires (clean hinge within budget and distance plateau); it is reported either way")]
    bool Enabled = false,
    [Description("Stopping rule: epochs over which the distance must plateau")]
    int Window = 5,
    [Description("Stopping rule: relative change of the distance over the window that counts as a plateau")]
    double Tolerance = 0.01) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Window), Window);
        OptionCheck.NotNegative(nameof(Tolerance), Tolerance);
    }
}
