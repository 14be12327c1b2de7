namespace Antidote.Attacks;

/// <summary>How poisoned samples are relabelled (BackdoorBench's bd_label_transform).</summary>
public enum LabelMode
{
    /// <summary>Every poisoned sample gets the one target label.</summary>
    AllToOne,

    /// <summary>A sample of class y gets (y + 1) mod K.</summary>
    AllToAll,
}
