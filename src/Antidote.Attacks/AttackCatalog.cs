using Antidote.Attacks.BadNets;
using Antidote.Attacks.Blended;
using Antidote.Attacks.Bpp;
using Antidote.Attacks.InputAware;
using Antidote.Attacks.LabelConsistent;
using Antidote.Attacks.LowFrequency;
using Antidote.Attacks.Recorded;
using Antidote.Attacks.Sig;
using Antidote.Attacks.Ssba;
using Antidote.Attacks.TrojanNN;
using Antidote.Attacks.WaNet;
using Antidote.Core.Registries;

namespace Antidote.Attacks;

/// <summary>The attacks Antidote plants, by name.</summary>
public static class AttackCatalog
{
    public static Registry<AttackEntry> Default { get; } = new Registry<AttackEntry>("attack")
        .Register(AttackEntry.Of<BadNetsOptions>("badnets", "3x3 white patch in the bottom-right corner (scaled to the image size)",
            "Gu et al. 2017; BackdoorBench badnet", supportsAllToAll: true, new BadNetsOptions(), (r, o) => new BadNetsAttack(r, o)) with { SupportsBFloat16 = true })
        .Register(AttackEntry.Of<BlendedOptions>("blended", "blend a trigger image into the input, alpha 0.2 (default trigger: a natural photograph, as BackdoorBench)",
            "Chen et al. 2017; BackdoorBench blended", supportsAllToAll: true,
            new BlendedOptions(Trigger: BlendTrigger.Noise), (r, o) => new BlendedAttack(r, o)) with { SupportsBFloat16 = true })
        .Register(AttackEntry.Of<SigOptions>("sig", "clean-label horizontal sinusoid, delta 40/255, frequency 6",
            "Barni et al. 2019; BackdoorBench sig", supportsAllToAll: false, new SigOptions(), (r, o) => new SigAttack(r, o)) with { SupportsBFloat16 = true })
        .Register(AttackEntry.Of<WaNetOptions>("wanet", "secret smooth warp (k 4, s 0.5), poisoned per batch while training with cross rows",
            "Nguyen & Tran 2021; BackdoorBench wanet", supportsAllToAll: true, new WaNetOptions(), (r, o) => new WaNetAttack(r, o))
            with { SecretTrigger = "a warping grid drawn from the attack's seed", SupportsBFloat16 = true })
        .Register(AttackEntry.Of<BppOptions>("bpp", "colour depth squeezed to 8 levels, poisoned per batch while training with negative rows",
            "Wang et al. 2022; BackdoorBench bpp", supportsAllToAll: true, new BppOptions(), (r, o) => new BppAttack(r, o)) with { SupportsBFloat16 = true })
        .Register(AttackEntry.Of<InputAwareOptions>("input-aware", "a trigger per image, x + (g(x) - x)·m(x), from a pattern and a mask generator trained with the victim",
            "Nguyen & Tran 2020; BackdoorBench inputaware", supportsAllToAll: true, new InputAwareOptions(MaskEpochs: 1, MaskBatchSize: 16),
            (r, o) => new InputAwareAttack(r, o))
            with { SecretTrigger = "two generator networks trained with the victim" })
        .Register(AttackEntry.Of<LabelConsistentOptions>("lc", "clean-label: target-class images pushed off their class by PGD (ε 16/255) against a clean surrogate, plus a 3x3 pattern in each corner",
            "Turner et al. 2019; BackdoorBench lc", supportsAllToAll: false, new LabelConsistentOptions(Steps: 3, SurrogateEpochs: 1),
            (r, o) => new LabelConsistentAttack(r, o)))
        .Register(AttackEntry.Of<LowFrequencyOptions>("lf", "a smooth universal perturbation towards the target (targeted DeepFool against a clean model, Gaussian low-pass, values 0..0.2), added to the image",
            "Zeng et al. 2021; BackdoorBench lf", supportsAllToAll: false,
            new LowFrequencyOptions(Images: 8, Passes: 2, DeepFoolSteps: 20, HeldImages: 16, CleanModelEpochs: 1), (r, o) => new LowFrequencyAttack(r, o))
            with { SecretTrigger = "a pattern computed against the attacker's clean model" })
        .Register(AttackEntry.Of<SsbaOptions>("ssba", "a StegaStamp encoder trained on the data writes one fixed code into each image: an invisible residual of its own per image",
            "Li et al. 2021; BackdoorBench ssba", supportsAllToAll: true, new SsbaOptions(Bits: 8, Width: 4, Epochs: 1, BatchSize: 8),
            (r, o) => new SsbaAttack(r, o))
            with { SecretTrigger = "an encoder network trained by the attacker" })
        .Register(AttackEntry.Of<TrojanNNOptions>("trojannn", "a masked patch optimised to drive the clean model's most connected classifier inputs to 100, added to the image",
            "Liu et al. 2018; BackdoorBench trojannn", supportsAllToAll: true, new TrojanNNOptions(Steps: 20, CleanModelEpochs: 1),
            (r, o) => new TrojanNNAttack(r, o))
            with { SecretTrigger = "a patch optimised against the attacker's clean model" })
        .Register(AttackEntry.Of<RecordedOptions>("recorded", "the triggered test images another tool recorded (a BackdoorBench record, by `antidote import`); measured, never planted",
            "antidote import", supportsAllToAll: true, new RecordedOptions(), (r, o) => new RecordedAttack(r, o))
            with { SecretTrigger = "only the record's triggered test images", Plantable = false });

    /// <summary>The name of the attack whose options record <paramref name="options"/> is.</summary>
    public static string NameOf(IAttackOptions options) =>
        Default.Entries.First(e => e.OptionsType == options.GetType()).Name;
}
