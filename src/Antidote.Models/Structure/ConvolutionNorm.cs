namespace Antidote.Models.Structure;

/// <summary>A convolution whose output goes straight into a normalisation layer, by module path (channel Lipschitz pruning
/// combines the two per output channel).</summary>
public sealed record ConvolutionNorm(string Convolution, string Norm);
