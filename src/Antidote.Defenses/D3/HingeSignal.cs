namespace Antidote.Defenses.D3;

/// <summary>What dual ascent and the clean-data stopping rule read as an epoch's clean hinge (and what the budget is measured as).</summary>
public enum HingeSignal
{
    /// <summary>A pass over the clean subset after the epoch, in eval mode without augmentation: the hinge of the weights the
    /// epoch ended with, in the currency of the budget (the same pass on the initial and the fine-tuned model). Costs one
    /// forward pass over the subset every epoch (16 of a small-CNN D3 run's 52 s at 3,000 images). The default until
    /// <see cref="Batches"/> passed the same cells in less time.</summary>
    CleanPass,

    /// <summary>The mean hinge of the epoch's own training batches (train mode, augmented, the weights moving through the
    /// epoch), scaled by the ratio of the clean pass's hinge to the batches' at the last epoch both were measured: the pass
    /// runs after the first epoch and every hinge-log-every epochs, and λ reads it there. The batches' hinge runs above the
    /// clean pass's (about 1.25× at 3,000 Fashion-MNIST images, 1.45× at 400, on the 3,000-image table's D3 runs); read
    /// unscaled against a budget from the reference fine-tuning's batches it ended λ 1.0–3.5× higher than the clean pass did
    /// and left more of the backdoor on 19 of 20 cells (Blended at 400 images: 9.4% against 3.5%). Scaled, it passed every
    /// cell the clean pass passed (small CNN, ten attacks at 400 and 3,000 images; BadNets, Blended and SIG over three seeds)
    /// with lower ASR at 3,000 images, 0.1–0.35 points less ACC there, and runs 35–45% shorter: the default (README, "λ
    /// without a clean pass every epoch").</summary>
    Batches,
}
