namespace Antidote.Attacks;

/// <summary>The settings every attack shares, and each attack's own trigger parameters.</summary>
/// <param name="Target">The attack target label (all-to-one). Paper default: 0.</param>
/// <param name="PoisonRatio">Fraction of the training set poisoned. Paper default: 0.1.</param>
public sealed record AttackSettings(
    int Target = 0,
    double PoisonRatio = 0.1,
    LabelMode LabelMode = LabelMode.AllToOne,
    TriggerParameters? Trigger = null)
{
    public TriggerParameters TriggerOrDefault => Trigger ?? new TriggerParameters();
}

/// <summary>Trigger parameters, each with the paper's default.</summary>
/// <param name="PatchSize">BadNets square side in pixels; null = 3 scaled from 32 px to the image size.</param>
/// <param name="BlendAlpha">Blended: x' = (1 − α)·x + α·t (paper: 0.2).</param>
/// <param name="SigDelta">SIG amplitude in [0, 1] units (paper: 40/255).</param>
/// <param name="SigFrequency">SIG cycles across the image width (paper: 6).</param>
public sealed record TriggerParameters(
    int? PatchSize = null,
    double BlendAlpha = 0.2,
    double SigDelta = 40.0 / 255.0,
    double SigFrequency = 6);
