using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.D3;

/// <summary>
/// Dual ascent on D3's constraint "clean hinge ≤ budget". After each epoch the multiplier moves geometrically,
/// λ ← λ·exp(step·(hinge − budget)/budget): ascent on log λ by the relative violation (capped at ±100%), so one step
/// size serves a model that needs λ ≈ 0.5 and one that needs λ ≈ 100. The budget is a hinge measured on the defender's clean
/// subset in eval mode without augmentation; what λ compares with it after each epoch is <paramref name="Signal"/>.
/// </summary>
/// <param name="Start">λ at the first epoch (10: a start in the middle of [0.01, 1000] in log terms; our choice, not a value from the paper or its code).</param>
/// <param name="Step">Dual step on log λ per <paramref name="StepsPerUnit"/> SGD steps, per unit of relative violation: 0.1
/// lets λ move at most ×1.1 per 12 steps, ×150 over 600.</param>
/// <param name="BudgetScale">Budget = scale × the reference clean hinge, floored at <paramref name="BudgetFloor"/>.</param>
/// <param name="BudgetFloor">Smallest budget (a model's hinge on data it was trained on can be ~0).</param>
/// <param name="StepsPerUnit">The step is per this many SGD steps: an epoch of S steps moves log λ by at most Step·S/StepsPerUnit,
/// so λ follows the same path per SGD step whatever the clean-set size. 12 = one epoch of 3,000 clean images at batch 256,
/// where the step was tuned. Counted per epoch instead (0), 400 images (2 steps an epoch) moved λ six times as fast per
/// step: over a 600-step run it fell to about 0.1 and Blended cost 8–11 points of ACC (README). 0 = per epoch.</param>
/// <param name="ReferenceEpochs">Epochs of plain fine-tuning from the initial model on the clean subset; the reference
/// hinge is the lower of the initial model's and the fine-tuned one's. A backdoor that already costs clean accuracy
/// (SIG hurts its target class) would otherwise hand D3 a loose budget. 0 = the initial model's hinge alone.</param>
/// <param name="Signal">What λ reads after each epoch (<see cref="HingeSignal"/>): the epoch's own batch hinge scaled to a clean
/// pass taken after the first epoch and every hinge-log-every epochs (the default), or a clean pass every epoch. Written into
/// every run folder: runs made before the option existed do not name it, so their run hash matches neither signal's (a
/// sweep runs them again instead of reusing them) and they read back as the new default (`--config RUN` refuses them).</param>
public sealed record DualAscentOptions(
    [Description("Dual mode: λ at the first epoch (ours)")]
    double Start = 10,
    [Description("Dual mode: step on log λ per unit (steps-per-unit SGD steps) and unit of relative violation (ours)")]
    double Step = 0.1,
    [Description("Dual mode: budget = scale × the reference clean hinge")]
    double BudgetScale = 1.0,
    [Description("Dual mode: smallest budget")]
    double BudgetFloor = 0.05,
    [Description("Dual mode: epochs of plain fine-tuning whose clean hinge (if lower than the initial model's) sets the budget; 0 = the initial model's alone")]
    int ReferenceEpochs = 5,
    [Description("Dual mode: SGD steps per unit of the dual step (12 = one epoch of 3,000 images at batch 256, where it was tuned; 0 = per epoch whatever its length)")]
    int StepsPerUnit = 12,
    [Description("Dual mode: the clean hinge λ and the stopping rule read after each epoch: batches (the epoch's own batch hinge, scaled to a clean pass taken after epoch 1 and every hinge-log-every epochs; ours, the default since it passed the cells the clean pass passed in less time) or clean-pass (a pass over the subset in eval mode every epoch, as the budget is measured; the default before)")]
    HingeSignal Signal = HingeSignal.Batches) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Start), Start);
        OptionCheck.Positive(nameof(Step), Step);
        OptionCheck.Positive(nameof(BudgetScale), BudgetScale);
        OptionCheck.NotNegative(nameof(BudgetFloor), BudgetFloor);
        OptionCheck.NotNegative(nameof(ReferenceEpochs), ReferenceEpochs);
        OptionCheck.NotNegative(nameof(StepsPerUnit), StepsPerUnit);
    }

    /// <summary>The step on log λ after an epoch of <paramref name="stepsPerEpoch"/> SGD steps.</summary>
    public double StepPerEpoch(int stepsPerEpoch) =>
        StepsPerUnit <= 0 ? Step : Step * ((double)stepsPerEpoch / StepsPerUnit); // exactly Step when an epoch is one unit
}
