using Antidote.Core.Metrics;
using Antidote.Experiments.Demo;
using Antidote.Experiments.Runs;

namespace Antidote.Tests.Experiments.Demo;

public class ResultTableTests
{
    private static readonly EvaluationResult Result = new(0.8958, 0.9984, 0.0016);

    [Fact]
    public void The_table_rounds_percentages_and_times_and_the_stage_lines_add_up_each_run()
    {
        var rows = new[]
        {
            new DemoRow("No defense", Result, null, 338.4, [new("data", 2.6), new("train", 338.4), new("evaluate", 11.2)]),
            new DemoRow("D3 (dual λ)", new EvaluationResult(0.8924, 0.0027, 0.7664), 0.9962, 146.2, [new("data", 1.1), new("defend", 146.2)]),
            new DemoRow("imported", Result, null, 0),
        };
        string table = ResultTable.Format(rows);
        Assert.Contains("| No defense  | 89.58 | 99.84 |  0.16 |     - | 338 s |", table);
        Assert.Contains("| D3 (dual λ) | 89.24 |  0.27 | 76.64 | 99.62 | 146 s |", table);
        string stages = ResultTable.FormatStages(rows);
        Assert.Equal(["No defense: 352 s (data 3 s, train 338 s, evaluate 11 s)", "D3 (dual λ): 147 s (data 1 s, defend 146 s)"],
            stages.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
