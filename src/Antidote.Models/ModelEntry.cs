using Antidote.Core.Options;
using Antidote.Core.Registries;

namespace Antidote.Models;

/// <summary>A registered architecture: its name, a line about it, its source, its options record and its factory.</summary>
public sealed record ModelEntry(string Name, string Summary, string Source, Type OptionsType, Func<ModelSpec, NormLayerFactory, ImageClassifier> Create)
    : IComponentEntry
{
    /// <summary>An entry whose factory takes the data's shape, its own options record and the norm-layer factory.</summary>
    /// <param name="smoke">The architecture at test size.</param>
    public static ModelEntry Of<TOptions>(string name, string summary, string source, TOptions smoke, Func<ModelSpec, TOptions, NormLayerFactory, ImageClassifier> create)
        where TOptions : IModelOptions =>
        new(name, summary, source, typeof(TOptions), (spec, norm) => create(spec, (TOptions)spec.Options, norm)) { SmokeOptions = smoke };

    public IComponentOptions SmokeOptions { get; init; } = null!;

    public IModelOptions DefaultOptions => (IModelOptions)((IComponentEntry)this).DefaultOptions();
}
