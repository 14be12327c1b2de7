using Antidote.Core.Registries;

namespace Antidote.Models;

/// <summary>The architectures Antidote builds, by name.</summary>
public static class ModelCatalog
{
    public static Registry<ModelEntry> Default { get; } = new Registry<ModelEntry>("model")
        .Register(new ModelEntry("small-cnn",
            "two conv+BN blocks and a 128-unit hidden layer; fast on CPU for 28x28 data",
            "Antidote (LeNet-style baseline)", DefaultWidth: 32,
            spec => new SmallCnn.SmallCnn(spec.InChannels, spec.Classes, spec.ImageHeight, spec.ImageWidth, spec.Width)))
        .Register(new ModelEntry("preact-resnet18",
            "PreAct-ResNet18 as BackdoorBench defines it (width 64 = standard; smaller for CPU)",
            "He et al. 2016; BackdoorBench models/preact_resnet.py", DefaultWidth: 64,
            spec => new PreActResNet18.PreActResNet18(spec.InChannels, spec.Classes, spec.Width)));

    public static ImageClassifier Create(ModelSpec spec)
    {
        var entry = Default.Get(spec.Name);
        spec.Validate();
        return entry.Create(spec);
    }
}
