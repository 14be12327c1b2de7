namespace Antidote.Attacks;

/// <summary>The attack target of a sample, by label mode.</summary>
public sealed record LabelPolicy(LabelMode Mode, int Target, int Classes)
{
    public int TargetFor(int label) => Mode == LabelMode.AllToOne ? Target : (label + 1) % Classes;

    /// <summary>Whether a test sample counts for ASR: its true label must differ from its target.</summary>
    public bool IsAttackable(int label) => TargetFor(label) != label;
}
