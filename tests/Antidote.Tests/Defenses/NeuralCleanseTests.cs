using Antidote.Attacks.Blended;
using Antidote.Core.Logging;
using Antidote.Defenses.FineTuning;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Defenses;

public class NeuralCleanseTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    private static readonly TriggerSearchOptions Quick = new(Epochs: 30, BatchSize: 64);

    [Fact]
    public void The_smallest_reversed_trigger_belongs_to_the_planted_target_and_works_on_images_it_never_saw()
    {
        var planted = fixture.Planted;
        var (report, triggers) = TriggerScan.Run(planted.Model, planted.Clean, planted.Test, planted.Pipeline, 4, Quick, 0, NullRunLog.Instance);
        foreach (var trigger in triggers) trigger.Dispose();

        // The planted trigger is a 2×2 patch: 4 pixels. The quadrant classes need a bright square of their own.
        Assert.Equal(0, report.Smallest.Class);
        Assert.InRange(report.Classes[0].MaskNorm, 1, 8);
        Assert.True(report.Classes[0].MaskNorm < report.MedianNorm / 4, $"{report.Classes[0].MaskNorm} against median {report.MedianNorm}");
        Assert.True(report.Classes[0].HeldOutSuccess >= 0.9);
        Assert.Equal(400, report.HeldOutImages);
    }

    [Fact]
    public void A_uniform_mask_finds_a_planted_blended_trigger_as_one_faint_full_image_blend()
    {
        // The noise blend changes every pixel a little: no small patch reproduces it, one faint full-image blend does.
        using var planted = new PlantedBackdoor(epochs: 4, attack: ("blended", new BlendedOptions(Trigger: BlendTrigger.Noise)));
        Assert.True(planted.Evaluate(planted.Model).AttackSuccessRate > 0.9);
        var (uniform, triggers) = TriggerScan.Run(planted.Model, planted.Clean, planted.Test, planted.Pipeline, 4,
            Quick with { Mask = TriggerMask.Uniform }, 0, NullRunLog.Instance);
        try
        {
            Assert.Equal(0, uniform.Smallest.Class);
            Assert.True(uniform.Classes[0].MaskNorm < uniform.MedianNorm / 2, $"{uniform.Classes[0].MaskNorm} against median {uniform.MedianNorm}");
            Assert.True(uniform.Classes[0].HeldOutSuccess >= 0.9);
            foreach (var trigger in triggers)
            {
                Assert.Equal([1L, 12, 12], trigger.Mask.shape);
                Assert.Equal(trigger.Mask.min().item<float>(), trigger.Mask.max().item<float>());
            }
        }
        finally
        {
            foreach (var trigger in triggers) trigger.Dispose();
        }
    }

    private static ScanReport Report(params double[] norms) =>
        new([.. norms.Select((n, c) => new ClassScan(c, n, 0, 1))], [], 0, 2, norms.Order().ElementAt((norms.Length - 1) / 2), 10, 1);

    [Fact]
    public void The_survival_check_follows_the_class_that_was_easiest_to_reach_before_the_defense()
    {
        var before = Report(40, 90, 120, 30, 100);
        var kept = ScanComparison.Of(before, Report(60, 50, 70, 55, 200), new SurvivalRule(Rank: 3));
        Assert.Equal(3, kept.Suspect);
        Assert.Equal(2, kept.RankAfter); // 55 is beaten only by 50
        Assert.True(kept.MaySurvive);
        Assert.Contains("class 3, the easiest to reach before, is still among the 3 easiest after (rank 2 of 5", kept.Verdict);

        var removed = ScanComparison.Of(before, Report(60, 50, 70, 150, 80), new SurvivalRule(Rank: 3));
        Assert.Equal(5, removed.RankAfter);
        Assert.False(removed.MaySurvive);
        Assert.Contains("is now rank 5 of 5", removed.Verdict);
        Assert.False(ScanComparison.Of(before, Report(60, 50, 70, 55, 200), new SurvivalRule(Rank: 1)).MaySurvive);
    }

    [Fact]
    public void The_survival_check_follows_the_easiest_class_only_when_it_stood_out_from_the_next()
    {
        var after = Report(60, 50, 70, 55, 200);
        // Class 3 at 30 against class 0 at 40: 0.75 of the next.
        var barely = Report(40, 90, 120, 30, 100);
        Assert.True(ScanComparison.Of(barely, after, new SurvivalRule(Rank: 3, StandOut: 0.75)).MaySurvive);
        var natural = ScanComparison.Of(barely, after, new SurvivalRule(Rank: 3, StandOut: 0.5));
        Assert.Equal(40, natural.NextBefore);
        Assert.False(natural.StandsOut);
        Assert.False(natural.MaySurvive);
        Assert.Contains("did not stand out (trigger 30.0, the next 40.0", natural.Verdict);
        // Class 3 at 15 against 40: followed, and still among the 3 easiest.
        Assert.True(ScanComparison.Of(Report(40, 90, 120, 15, 100), after, new SurvivalRule(Rank: 3, StandOut: 0.5)).MaySurvive);
    }

    [Fact]
    public void The_anomaly_index_is_the_distance_below_the_median_in_scaled_median_absolute_deviations()
    {
        // Lower median of ten norms: 20 (the 5th smallest); the deviations' lower median: 1; MAD = 1.4826.
        double[] norms = [4, 18, 19, 20, 20, 21, 22, 23, 20, 19];
        var (median, indices) = TriggerScan.AnomalyIndices(norms);

        Assert.Equal(20, median);
        Assert.Equal(16 / (1.4826 * 1), indices[0], 6);
        Assert.Equal(0, indices[7]);
        Assert.All(indices.Skip(1), index => Assert.True(index < 2));
    }

    [Fact]
    public void Neural_cleanse_unlearns_a_flagged_trigger_and_the_attack_success_rate_falls()
    {
        var planted = fixture.Planted;
        var before = planted.Evaluate(planted.Model);
        // Four classes make the median absolute deviation coarse: a threshold the planted target clears (it scores 2.0 here).
        var options = new NeuralCleanseOptions(Quick with { AnomalyThreshold = 1.5 }, FineTune: new FineTuningOptions(Epochs: 10, BatchSize: 32));

        var outcome = new NeuralCleanseDefense(options).Run(planted.Context());

        using var defended = outcome.Model;
        var after = planted.Evaluate(defended);
        Assert.Equal(0, outcome.Facts!["flagged_class"]);
        Assert.True(before.AttackSuccessRate > 0.9);
        Assert.True(after.AttackSuccessRate < 0.2, $"ASR {before.AttackSuccessRate:P1} -> {after.AttackSuccessRate:P1}");
        Assert.True(after.Accuracy > before.Accuracy - 0.1);
    }
}
