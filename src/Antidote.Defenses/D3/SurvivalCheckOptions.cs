using System.ComponentModel;
using Antidote.Core.Options;
using Antidote.Defenses.NeuralCleanse;

namespace Antidote.Defenses.D3;

/// <summary>
/// A check D3 can run on its own result, from clean data only (ours; README, "A faint blend instead of a patch"): the blend
/// scan (<see cref="TriggerMask.Uniform"/>) of the input model and of the result; when the class easiest to reach in the input
/// is still among the <paramref name="Rank"/> easiest in the result (and stood out in the input: <see cref="SurvivalRule"/>),
/// D3 starts once more from the input model, pushing <paramref name="Push"/> with the budget <paramref name="BudgetFactor"/>
/// times looser, and scans that result too; if the
/// class is still among the easiest, it starts a last time, pushing the classifier with the budget
/// <paramref name="ClassifierBudgetFactor"/> times looser (the last stage removed a noise blend that a looser classifier budget
/// did not, and the other way round for photograph blends: README). On by default in dual mode, where its looser budgets mean
/// something (fixed mode, the paper's form, reads the budget only for its stopping rule): on backdoors nobody tuned D3 on it
/// turned 2 passes of 12 PreAct-ResNet18 Blended runs into 10 (README, "The check becomes the default"), at 1.8–8.4× D3's
/// time on PreAct-ResNet18 and up to 7.4× on the small CNN. Its false alarms cost accuracy: on the grid's PreAct noise blend
/// it fired on two pushes that had left under 1% and kept a classifier push 3.0 and 6.8 points below the backdoored model
/// (README, "Three seeds of the default").
/// </summary>
public sealed record SurvivalCheckOptions(
    [Description("After the push, scan the input model for the class easiest to reach with a faint full-image blend and, when it stands out, the result; if it still is among the easiest there, start again pushing deeper, at most twice (ours; default: on in dual mode, off in fixed mode; false = one push, the default before issue 22's check)")]
    bool? Check = null,
    [Description("The input's easiest class counts as surviving while it is among this many easiest after")]
    int Rank = 3,
    [Description("Follow the input's easiest class only when its trigger is at most this times the next class's (1 = always; a class barely easier than the next is likely a naturally easy one, and then the pushed model is not scanned). 0.5: blend backdoors measured 0.12-0.57 (the three over 0.5, a PreAct photograph blend on some clean rows, the push alone removed), every patch, stripe or clean model 0.84-0.96")]
    double StandOut = 0.5,
    [Description("Weights the deeper attempt pushes (from the input model)")]
    D3Push Push = D3Push.LastStage,
    [Description("The deeper attempt's budget scale, as a multiple of dual-budget-scale")]
    double BudgetFactor = 2,
    [Description("If the class is still among the easiest after the deeper attempt: a last attempt pushing the classifier with the budget scale times this (0 = none)")]
    double ClassifierBudgetFactor = 4,
    [Description("Images each class's blend search sees (passes = this / the rows searched, from 1 to the scan's 80): 25,600 is 80 passes over 320 rows")]
    int ScanImages = 25_600) : IComponentOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Rank), Rank);
        OptionCheck.Fraction(nameof(StandOut), StandOut);
        OptionCheck.AtLeast(nameof(BudgetFactor), BudgetFactor, 1);
        if (ClassifierBudgetFactor != 0) OptionCheck.AtLeast(nameof(ClassifierBudgetFactor), ClassifierBudgetFactor, 1);
        OptionCheck.Positive(nameof(ScanImages), ScanImages);
    }
}
