using Antidote.Core.Metrics;

namespace Antidote.Tests.Core;

public class BackdoorMetricsTests
{
    [Fact]
    public void Accuracy_ASR_and_RA_count_matches_on_hand_made_predictions()
    {
        int[] labels = [0, 1, 2, 3];
        int[] predicted = [0, 1, 0, 0];
        Assert.Equal(0.5, BackdoorMetrics.Accuracy(predicted, labels));
        // Triggered samples (true labels 1, 2, 3), target 0: two of three hit the target, one keeps its label.
        int[] triggeredPredictions = [0, 2, 0];
        Assert.Equal(2.0 / 3, BackdoorMetrics.AttackSuccessRate(triggeredPredictions, [0, 0, 0]), 12);
        Assert.Equal(1.0 / 3, BackdoorMetrics.RobustAccuracy(triggeredPredictions, [1, 2, 3]), 12);
    }

    [Theory]
    // ASR 0.99 -> 0.01 at no ACC cost: (0.98 - 0 + 1) / 2.
    [InlineData(0.90, 0.99, 0.90, 0.01, 0.99)]
    // ACC drops 0.04, ASR drops 0.98: (0.98 - 0.04 + 1) / 2.
    [InlineData(0.90, 0.99, 0.86, 0.01, 0.97)]
    // A defense that raises ASR and ACC gets no credit for either: (0 - 0 + 1) / 2.
    [InlineData(0.90, 0.50, 0.95, 0.60, 0.50)]
    // Worst case: ASR unchanged, ACC lost entirely.
    [InlineData(1.00, 1.00, 0.00, 1.00, 0.00)]
    public void DER_follows_the_BackdoorBench_formula(double accBefore, double asrBefore, double accAfter, double asrAfter, double expected)
    {
        Assert.Equal(expected, BackdoorMetrics.DefenseEffectivenessRating(accBefore, asrBefore, accAfter, asrAfter), 12);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => BackdoorMetrics.Accuracy([1, 2], [1]));
    }
}
