using System.ComponentModel;
using Antidote.Core.Options;

namespace Antidote.Defenses.ChannelLipschitz;

/// <summary>CLP's one knob (BackdoorBench config/defense/clp/config.yaml).</summary>
public sealed record ChannelLipschitzOptions(
    [Description("Prune a channel whose upper bound on its Lipschitz constant exceeds the layer's mean by u standard deviations (BackdoorBench: 3)")]
    double U = 3) : IDefenseOptions
{
    public void Validate() => OptionCheck.NotNegative(nameof(U), U);
}
