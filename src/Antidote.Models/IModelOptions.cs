using Antidote.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Models;

/// <summary>The per-architecture arguments of a model (width, depth, patch size, …; see <see cref="IComponentOptions"/>).</summary>
public interface IModelOptions : IComponentOptions;

/// <summary>Builds the normalisation layer of a block with <paramref name="channels"/> channels (BatchNorm2d by default);
/// a defense substitutes its own (ANP's perturbable norm) without forking the architecture.</summary>
public delegate nn.Module<Tensor, Tensor> NormLayerFactory(long channels);
