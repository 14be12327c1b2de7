using Antidote.Models.SmallCnn;
using Antidote.Defenses.D3;
using Antidote.Models;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class D3LambdaRuleTests
{
    [Fact]
    public void The_multiplier_rises_while_the_clean_hinge_is_over_budget_and_falls_while_under()
    {
        var rule = new DualAscentLambda(start: 1.0, step: 2.0, budget: 0.2);
        rule.Update(0.3); // 50% over budget: log λ rises by 2 × 0.5
        Assert.Equal(Math.Exp(1.0), rule.Value, 12);
        rule.Update(0.2); // on budget: unchanged
        Assert.Equal(Math.Exp(1.0), rule.Value, 12);
        rule.Update(0.1); // 50% slack: log λ falls by 1
        Assert.Equal(1.0, rule.Value, 12);
        for (int i = 0; i < 20; i++) rule.Update(0.0);
        Assert.Equal(DualAscentLambda.Min, rule.Value); // stays positive, so it can come back
        for (int i = 0; i < 20; i++) rule.Update(10.0);
        Assert.Equal(DualAscentLambda.Max, rule.Value);
    }

    [Fact]
    public void One_step_size_covers_any_scale_of_the_multiplier()
    {
        // The same relative violation moves λ by the same factor whether it is 0.5 or 50.
        var small = new DualAscentLambda(start: 0.5, step: 1.0, budget: 0.2);
        var large = new DualAscentLambda(start: 50, step: 1.0, budget: 0.2);
        small.Update(0.3);
        large.Update(0.3);
        Assert.Equal(small.Value / 0.5, large.Value / 50, 12);
    }

    [Fact]
    public void Fixed_lambda_never_moves()
    {
        var rule = new FixedLambda(10);
        rule.Update(100);
        rule.Update(0);
        Assert.Equal(10, rule.Value);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(10.0)]
    public void Fixed_mode_loss_is_bit_identical_to_the_paper_form(double lambda)
    {
        using var planted = QuadrantImages.Create(32);
        var model = ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 4), 1, 4, 12, 12));
        model.train();
        using var selected = new SelectedWeights(model, "linear", p: 2);
        selected.Initialize(D3Initialization.Random);
        using var pipeline = Antidote.Training.DataPipeline.For(QuadrantImages.Info(), CPU, augment: false);
        var (inputs, labels) = pipeline.EvalBatch(planted, Enumerable.Range(0, 32).Select(i => (long)i).ToArray());
        var objective = new D3Objective(selected, 0.1, new FixedLambda(lambda), planted, pipeline,
            new CleanStoppingRule(new EarlyStopOptions(), 0.1));
        var loss = objective.Loss(model, inputs, labels, new Antidote.Training.StepMetrics());

        // The reference implementation, written out: hinge on per-sample CE, un-squared L2 distance, λ>1 rescaled.
        var ce = nn.functional.cross_entropy(model.call(inputs), labels, reduction: nn.Reduction.None);
        var hinge = (ce - 0.1).clamp_min(0).mean();
        var distance = selected.Distance();
        var expected = lambda > 1 ? (lambda * hinge - distance) / (lambda + 1) : lambda * hinge - distance;
        Assert.Equal(expected.item<float>(), loss.item<float>());
    }

    [Fact]
    public void The_stopping_rule_needs_both_a_distance_plateau_and_the_hinge_within_budget()
    {
        var rule = new CleanStoppingRule(new EarlyStopOptions(Window: 2, Tolerance: 0.01), budget: 0.3);
        Assert.False(rule.Observe(1, 5.0, 0.1));
        Assert.False(rule.Observe(2, 6.0, 0.1));
        Assert.False(rule.Observe(3, 6.5, 0.1));  // still growing
        Assert.False(rule.Observe(4, 6.52, 0.5)); // plateau, but over budget
        Assert.True(rule.Observe(5, 6.53, 0.2));  // plateau and within budget
        Assert.Equal(5, rule.FiredAt);
        Assert.True(rule.Observe(6, 7.0, 0.9));   // stays fired
        Assert.Equal(5, rule.FiredAt);
    }

    [Fact]
    public void A_distance_pulled_back_toward_theta0_is_not_a_plateau()
    {
        // From the zero warm-up the clean data first pulls the classifier back; that must not stop the run.
        var rule = new CleanStoppingRule(new EarlyStopOptions(Window: 2, Tolerance: 0.01), budget: 0.3);
        foreach (var (epoch, distance) in new[] { (1, 4.0), (2, 3.0), (3, 2.0), (4, 1.7) })
            Assert.False(rule.Observe(epoch, distance, 0.1));
        Assert.Null(rule.FiredAt);
        Assert.False(rule.Observe(5, 1.71, 0.1)); // turned, but the window still spans the fall
        Assert.True(rule.Observe(6, 1.705, 0.1)); // steady over the window: now a plateau
        Assert.Equal(6, rule.FiredAt);
    }

    [Fact]
    public void The_dual_step_is_per_SGD_step_so_a_small_clean_set_moves_lambda_at_the_same_pace_per_step()
    {
        var dual = new DualAscentOptions();
        Assert.Equal(0.1, dual.StepPerEpoch(12)); // 3,000 images at batch 256: one unit, exactly the step
        Assert.Equal(0.1 * 2 / 12, dual.StepPerEpoch(2), 15); // 400 images: six epochs make one unit
        Assert.Equal(0.1, (dual with { StepsPerUnit = 0 }).StepPerEpoch(2)); // per epoch, the old rule
        // Six epochs of two steps move λ as far as one epoch of twelve.
        var small = new DualAscentLambda(10, dual.StepPerEpoch(2), budget: 0.1);
        var large = new DualAscentLambda(10, dual.StepPerEpoch(12), budget: 0.1);
        for (int i = 0; i < 6; i++) small.Update(0.2);
        large.Update(0.2);
        Assert.Equal(large.Value, small.Value, 9);
    }
}
