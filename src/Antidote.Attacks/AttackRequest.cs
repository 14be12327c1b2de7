using Antidote.Data;

namespace Antidote.Attacks;

/// <summary>What an attack factory receives: the dataset's facts, the shared poisoning settings and the attack's own options.</summary>
public sealed record AttackRequest(DatasetInfo Dataset, AttackSettings Settings, IAttackOptions Options)
{
    public LabelPolicy Labels => new(Settings.LabelMode, Settings.Target, Dataset.Classes);
}
