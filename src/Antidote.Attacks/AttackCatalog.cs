using Antidote.Attacks.BadNets;
using Antidote.Attacks.Blended;
using Antidote.Attacks.Sig;
using Antidote.Core.Registries;

namespace Antidote.Attacks;

/// <summary>The attacks Antidote plants, by name.</summary>
public static class AttackCatalog
{
    public static Registry<AttackEntry> Default { get; } = new Registry<AttackEntry>("attack")
        .Register(new AttackEntry("badnets", "3x3 white patch in the bottom-right corner (scaled to the image size)",
            "Gu et al. 2017; BackdoorBench badnet", UsesTriggerImage: false, SupportsAllToAll: true, r => new BadNetsAttack(r)))
        .Register(new AttackEntry("blended", "blend a trigger image into the input, alpha 0.2 (default trigger: a natural photograph, as BackdoorBench)",
            "Chen et al. 2017; BackdoorBench blended", UsesTriggerImage: true, SupportsAllToAll: true, r => new BlendedAttack(r)))
        .Register(new AttackEntry("sig", "clean-label horizontal sinusoid, delta 40/255, frequency 6",
            "Barni et al. 2019; BackdoorBench sig", UsesTriggerImage: false, SupportsAllToAll: false, r => new SigAttack(r)));
}
