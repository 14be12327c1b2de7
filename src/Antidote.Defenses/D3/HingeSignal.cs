namespace Antidote.Defenses.D3;

/// <summary>What dual ascent and the clean-data stopping rule read as an epoch's clean hinge (and what the budget is measured as).</summary>
public enum HingeSignal
{
    /// <summary>A pass over the clean subset after the epoch, in eval mode without augmentation: the hinge of the weights the
    /// epoch ended with, in the currency of the budget (the same pass on the initial and the fine-tuned model). Costs one
    /// forward pass over the subset every epoch.</summary>
    CleanPass,

    /// <summary>The mean hinge of the epoch's own training batches, as the loss saw them (train mode, augmented, the weights
    /// moving through the epoch): no extra pass. It runs above the clean pass's (about 1.25× at 3,000 Fashion-MNIST images,
    /// 1.45× at 400, measured on the 3,000-image table's D3 runs), so the budget is measured the same way: the lowest epoch
    /// mean of the reference fine-tuning's batches.</summary>
    Batches,
}
