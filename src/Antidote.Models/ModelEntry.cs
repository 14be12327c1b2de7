using Antidote.Core.Registries;

namespace Antidote.Models;

/// <summary>A registered architecture: its name, a line about it, its source, its options record and its factory.</summary>
public sealed record ModelEntry(string Name, string Summary, string Source, Type OptionsType, Func<ModelSpec, NormLayerFactory, ImageClassifier> Create)
    : IComponentEntry
{
    /// <summary>An entry whose factory takes the data's shape, its own options record and the norm-layer factory.</summary>
    public static ModelEntry Of<TOptions>(string name, string summary, string source, Func<ModelSpec, TOptions, NormLayerFactory, ImageClassifier> create)
        where TOptions : IModelOptions =>
        new(name, summary, source, typeof(TOptions), (spec, norm) => create(spec, (TOptions)spec.Options, norm));

    public IModelOptions DefaultOptions => (IModelOptions)((IComponentEntry)this).DefaultOptions();
}
