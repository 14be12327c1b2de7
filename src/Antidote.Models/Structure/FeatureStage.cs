namespace Antidote.Models.Structure;

/// <summary>A named stage of a model's features: the module whose output it reports, its channel count, and whether that
/// output is a feature map [N, C, H, W] (attention transfer, channel statistics) or not (a hidden vector, ViT tokens).</summary>
public sealed record FeatureStage(string Name, string ModulePath, int Channels, bool IsFeatureMap);
