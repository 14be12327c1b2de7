using Antidote.Models;

namespace Antidote.Experiments.Runs;

/// <summary>The sidecar of a weights file: which architecture with which arguments, trained how.</summary>
public sealed record ModelCard(ModelSpec Spec, string Dataset, long Seed, string Stage, string AntidoteVersion, DateTime CreatedUtc)
{
    public static string Version => typeof(ModelCard).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
