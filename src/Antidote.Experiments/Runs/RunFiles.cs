namespace Antidote.Experiments.Runs;

/// <summary>The files of a run folder. Each stage writes one self-describing folder.</summary>
public static class RunFiles
{
    public const string Config = "config.json";
    public const string Weights = "model.weights";
    public const string ModelCard = "model.json";
    public const string PoisonPlan = "poison-plan.json";
    public const string Record = "run.json";
    public const string CleanIndices = "clean-indices.json";
    public const string MetricsCsv = "metrics.csv";
    public const string MetricsJson = "metrics.json";
    public const string Summary = "summary.json";
    public const string Log = "log.txt";
}
