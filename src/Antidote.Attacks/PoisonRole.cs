namespace Antidote.Attacks;

/// <summary>What the poison plan does to a row.</summary>
public enum PoisonRole
{
    /// <summary>Triggered and relabelled by the label policy (kept for clean-label attacks).</summary>
    Poisoned,

    /// <summary>Changed by the attack but keeping its true label: WaNet's "noise" rows, which teach the model that a
    /// near-trigger is not the trigger.</summary>
    Cross,
}
