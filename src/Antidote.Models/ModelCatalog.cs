using Antidote.Core.Registries;
using Antidote.Models.PreActResNet18;
using Antidote.Models.ResNet;
using Antidote.Models.SmallCnn;
using Antidote.Models.Vgg;
using Antidote.Models.VisionTransformer;
using TorchSharp;

namespace Antidote.Models;

/// <summary>The architectures Antidote builds, by name.</summary>
public static class ModelCatalog
{
    public static Registry<ModelEntry> Default { get; } = new Registry<ModelEntry>("model")
        .Register(ModelEntry.Of<SmallCnnOptions>("small-cnn",
            "two conv+BN blocks and a 128-unit hidden layer; fast on CPU for 28x28 data",
            "Antidote (LeNet-style baseline)", new SmallCnnOptions(Width: 8, Hidden: 16), (spec, o, norm) => new SmallCnn.SmallCnn(spec, o, norm)))
        .Register(ModelEntry.Of<PreActResNet18Options>("preact-resnet18",
            "PreAct-ResNet18 as BackdoorBench defines it (width 64 = standard; smaller for CPU)",
            "He et al. 2016; BackdoorBench models/preact_resnet.py", new PreActResNet18Options(Width: 8), (spec, o, norm) => new PreActResNet18.PreActResNet18(spec.InChannels, spec.Classes, o.Width, norm)))
        .Register(ModelEntry.Of<ResNet18Options>("resnet18", "torchvision's ResNet-18 (PyTorch parameter names; width 64 = standard)",
            "He et al. 2016; torchvision models/resnet.py", new ResNet18Options(Width: 8), (spec, o, norm) => new ResNet.ResNet(ResNet.ResNet.Depth.ResNet18, spec.InChannels, spec.Classes, o.Width, norm)))
        .Register(ModelEntry.Of<ResNet34Options>("resnet34", "torchvision's ResNet-34 (PyTorch parameter names; width 64 = standard)",
            "He et al. 2016; torchvision models/resnet.py", new ResNet34Options(Width: 8), (spec, o, norm) => new ResNet.ResNet(ResNet.ResNet.Depth.ResNet34, spec.InChannels, spec.Classes, o.Width, norm)))
        .Register(ModelEntry.Of<ResNet50Options>("resnet50", "torchvision's ResNet-50, bottleneck blocks (PyTorch parameter names; width 64 = standard)",
            "He et al. 2016; torchvision models/resnet.py", new ResNet50Options(Width: 8), (spec, o, norm) => new ResNet.ResNet(ResNet.ResNet.Depth.ResNet50, spec.InChannels, spec.Classes, o.Width, norm)))
        .Register(ModelEntry.Of<Vgg16BnOptions>("vgg16-bn", "torchvision's VGG-16 with batch norm (PyTorch parameter names; width 64, hidden 4096 = standard)",
            "Simonyan and Zisserman 2015; torchvision models/vgg.py", new Vgg16BnOptions(Width: 8, Hidden: 16), (spec, o, norm) => new Vgg.Vgg(16, Vgg.Vgg.CheckSize(spec).InChannels, spec.Classes, o.Width, o.Hidden, norm)))
        .Register(ModelEntry.Of<Vgg19BnOptions>("vgg19-bn", "torchvision's VGG-19 with batch norm (PyTorch parameter names; width 64, hidden 4096 = standard)",
            "Simonyan and Zisserman 2015; torchvision models/vgg.py", new Vgg19BnOptions(Width: 8, Hidden: 16), (spec, o, norm) => new Vgg.Vgg(19, Vgg.Vgg.CheckSize(spec).InChannels, spec.Classes, o.Width, o.Hidden, norm)))
        .Register(ModelEntry.Of<VisionTransformerOptions>("vit", "torchvision's VisionTransformer (PyTorch parameter names; defaults = ViT-B/16)",
            "Dosovitskiy et al. 2021; torchvision models/vision_transformer.py",
            new VisionTransformerOptions(PatchSize: 4, Layers: 2, Heads: 2, Hidden: 16, MlpDim: 32), (spec, o, norm) => norm == BatchNorm
                ? new VisionTransformer.VisionTransformer(spec, o)
                : throw new Core.AntidoteException("vit has no batch norm layers: it cannot take the norm layers a defense substitutes")));

    /// <summary>BatchNorm2d, as every architecture uses unless a defense substitutes its own.</summary>
    public static NormLayerFactory BatchNorm { get; } = channels => torch.nn.BatchNorm2d(channels);

    /// <summary>The name of the architecture whose options record <paramref name="options"/> is.</summary>
    public static string NameOf(IModelOptions options) =>
        Default.Entries.First(e => e.OptionsType == options.GetType()).Name;

    /// <summary>Builds the model after checking the spec (a damaged card is one line, before libtorch allocates anything).</summary>
    public static ImageClassifier Create(ModelSpec spec, NormLayerFactory? norm = null)
    {
        spec.Validate();
        var model = Default.Get(spec.Name).Create(spec, norm ?? BatchNorm);
        model.Replicate = () => Create(spec, norm);
        return model;
    }
}
