using Antidote.Core.Registries;
using Antidote.Defenses.Anp;
using Antidote.Defenses.ChannelLipschitz;
using Antidote.Defenses.D3;
using Antidote.Defenses.FinePruning;
using Antidote.Defenses.FineTuning;
using Antidote.Defenses.FtSam;
using Antidote.Defenses.IBau;
using Antidote.Defenses.Nad;
using Antidote.Defenses.Fst;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Defenses.None;
using Antidote.Defenses.Sau;

namespace Antidote.Defenses;

/// <summary>The defenses Antidote runs, by name.</summary>
public static class DefenseCatalog
{
    public static Registry<DefenseEntry> Default { get; } = new Registry<DefenseEntry>("defense")
        .Register(DefenseEntry.Of<D3Options>("d3",
            "Distance-Driven Detoxification: push selected weights far from the initial ones, clean loss under a bound",
            "Wei, Liu, Zha, ICCV 2025 (arXiv 2411.09585); reference defense/d3.py",
            new D3Options(Epochs: 2, MinSteps: 0, Dual: new DualAscentOptions(ReferenceEpochs: 0), Survival: new SurvivalCheckOptions(ScanImages: 1)), o => new D3Defense(o)) with { SupportsBFloat16 = true })
        .Register(DefenseEntry.Of<FineTuningOptions>("ft",
            "plain fine-tuning on the clean subset (SGD 0.01, momentum 0.9, wd 5e-4, cosine)",
            "BackdoorBench defense/ft.py", new FineTuningOptions(Epochs: 2), o => new FineTuningDefense(o)) with { SupportsBFloat16 = true })
        .Register(DefenseEntry.Of<FinePruningOptions>("fp",
            "fine-pruning: prune the last stage's least active channels within a held-out clean-accuracy budget, then fine-tune",
            "Liu et al., RAID 2018; BackdoorBench defense/fp.py", new FinePruningOptions(FineTune: new FineTuningOptions(Epochs: 2)),
            o => new FinePruningDefense(o)))
        .Register(DefenseEntry.Of<ChannelLipschitzOptions>("clp",
            "channel Lipschitzness pruning: zero the batch-norm channels with outlying Lipschitz bounds (data-free)",
            "Zheng et al., ECCV 2022; BackdoorBench defense/clp.py", new ChannelLipschitzOptions(), o => new ChannelLipschitzDefense(o)))
        .Register(DefenseEntry.Of<AnpOptions>("anp",
            "adversarial neuron pruning: mask batch-norm neurons that adversarial perturbation exposes, threshold chosen on held-out clean data",
            "Wu and Wang, NeurIPS 2021; BackdoorBench defense/anp.py", new AnpOptions(Iterations: 5, BatchSize: 32), o => new AnpDefense(o)))
        .Register(DefenseEntry.Of<NeuralCleanseOptions>("nc",
            "Neural Cleanse: reverse-engineer each class's smallest trigger, flag outliers (MAD), unlearn the flagged triggers",
            "Wang et al., S&P 2019; BackdoorBench defense/nc.py",
            new NeuralCleanseOptions(new TriggerSearchOptions(Epochs: 2, BatchSize: 64), FineTune: new FineTuningOptions(Epochs: 2)),
            o => new NeuralCleanseDefense(o)))
        .Register(DefenseEntry.Of<NadOptions>("nad",
            "neural attention distillation: a fine-tuned teacher's attention maps distilled into the backdoored model",
            "Li et al., ICLR 2021; BackdoorBench defense/nad.py", new NadOptions(TeacherEpochs: 1, Epochs: 2), o => new NadDefense(o)))
        .Register(DefenseEntry.Of<IBauOptions>("i-bau",
            "adversarial unlearning of a universal perturbation by implicit hypergradient (Adam 1e-4, 5 rounds, K 5)",
            "Zeng et al., ICLR 2022; BackdoorBench defense/i-bau.py", new IBauOptions(Rounds: 1, K: 2, BatchSize: 32), o => new IBauDefense(o)))
        .Register(DefenseEntry.Of<SauOptions>("sau",
            "shared adversarial unlearning: PGD finds perturbations that fool the model and the backdoored copy alike, then unlearns them",
            "Wei et al., NeurIPS 2023; BackdoorBench defense/sau.py", new SauOptions(Rounds: 1, BatchSize: 32, AdversarialSteps: 2), o => new SauDefense(o)))
        .Register(DefenseEntry.Of<FtSamOptions>("ft-sam",
            "fine-tuning with (adaptive) sharpness-aware minimisation, ρ 2, label smoothing 0.1",
            "Zhu et al., ICCV 2023; BackdoorBench defense/ft-sam.py", new FtSamOptions(Epochs: 2), o => new FtSamDefense(o)))
        .Register(DefenseEntry.Of<FstOptions>("fst",
            "feature shift tuning: re-initialise the head, fine-tune with α·<W, W0> and the head kept at its initial norm",
            "Min et al., NeurIPS 2023; AISafety-HKUST/stable_backdoor_purification fine_tune/ft.py", new FstOptions(Epochs: 2), o => new FstDefense(o)) with { SupportsBFloat16 = true })
        .Register(DefenseEntry.Of<NoDefenseOptions>("none", "no defense: the model as it came (a sweep's baseline row)",
            "BackdoorBench's 'no defense' rows", new NoDefenseOptions(), _ => new NoDefense()) with { SupportsBFloat16 = true });

    /// <summary>The name of the defense whose options record <paramref name="options"/> is.</summary>
    public static string NameOf(IDefenseOptions options) =>
        Default.Entries.First(e => e.OptionsType == options.GetType()).Name;
}
