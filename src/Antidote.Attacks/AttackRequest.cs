using Antidote.Data;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>What an attack factory receives: the dataset's facts, the settings, and a trigger image if the attack uses one ([C, H, W] in [0, 1], any size).</summary>
public sealed record AttackRequest(DatasetInfo Dataset, AttackSettings Settings, Tensor? TriggerImage = null)
{
    public LabelPolicy Labels => new(Settings.LabelMode, Settings.Target, Dataset.Classes);
}
