using Antidote.Core.Registries;
using Antidote.Models.PreActResNet18;
using Antidote.Models.SmallCnn;
using TorchSharp;

namespace Antidote.Models;

/// <summary>The architectures Antidote builds, by name.</summary>
public static class ModelCatalog
{
    public static Registry<ModelEntry> Default { get; } = new Registry<ModelEntry>("model")
        .Register(ModelEntry.Of<SmallCnnOptions>("small-cnn",
            "two conv+BN blocks and a 128-unit hidden layer; fast on CPU for 28x28 data",
            "Antidote (LeNet-style baseline)", (spec, o, norm) => new SmallCnn.SmallCnn(spec, o, norm)))
        .Register(ModelEntry.Of<PreActResNet18Options>("preact-resnet18",
            "PreAct-ResNet18 as BackdoorBench defines it (width 64 = standard; smaller for CPU)",
            "He et al. 2016; BackdoorBench models/preact_resnet.py", (spec, o, norm) => new PreActResNet18.PreActResNet18(spec.InChannels, spec.Classes, o.Width, norm)));

    /// <summary>BatchNorm2d, as every architecture uses unless a defense substitutes its own.</summary>
    public static NormLayerFactory BatchNorm { get; } = channels => torch.nn.BatchNorm2d(channels);

    /// <summary>The name of the architecture whose options record <paramref name="options"/> is.</summary>
    public static string NameOf(IModelOptions options) =>
        Default.Entries.First(e => e.OptionsType == options.GetType()).Name;

    /// <summary>Builds the model after checking the spec (a damaged card is one line, before libtorch allocates anything).</summary>
    public static ImageClassifier Create(ModelSpec spec, NormLayerFactory? norm = null)
    {
        spec.Validate();
        return Default.Get(spec.Name).Create(spec, norm ?? BatchNorm);
    }
}
