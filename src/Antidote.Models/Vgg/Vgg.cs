using Antidote.Models.Structure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.Vgg;

/// <summary>
/// torchvision's VGG with batch norm (Simonyan and Zisserman 2015; torchvision/models/vgg.py, configurations "D" and "E"):
/// <c>features</c> = [conv3×3 → BN → ReLU]… with 2×2 max-pools between the five stages, a 7×7 adaptive average pool, and
/// <c>classifier</c> = Linear → ReLU → Dropout → Linear → ReLU → Dropout → Linear. Parameter names are PyTorch's
/// (features.0.weight, features.1.running_mean, classifier.6.weight); the final classifier is "classifier.6".
/// </summary>
public sealed class Vgg : ImageClassifier
{
    /// <summary>Conv widths in units of the first stage's, 0 = max-pool (torchvision's cfgs "D" and "E").</summary>
    private static readonly int[] Vgg16 = [1, 1, 0, 2, 2, 0, 4, 4, 4, 0, 8, 8, 8, 0, 8, 8, 8, 0];
    private static readonly int[] Vgg19 = [1, 1, 0, 2, 2, 0, 4, 4, 4, 4, 0, 8, 8, 8, 8, 0, 8, 8, 8, 8, 0];

    private readonly Sequential features;
    private readonly Sequential classifier;
    // The classifier's layers, reached one by one (the features stop before the last); a record, not Module fields,
    // so that they are registered once, under "classifier".
    private readonly ClassifierLayers _layers;
    private readonly string[] _stageEnds;

    private sealed record ClassifierLayers(Linear Hidden1, Dropout Dropout1, Linear Hidden2, Dropout Dropout2, Linear Output);

    // The feature layers with their names, listed once (a record, not Module fields: registered once, under "features").
    private readonly FeatureLayers _features;

    private sealed record FeatureLayers(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> All);

    /// <param name="depth">16 or 19.</param>
    public Vgg(int depth, int inChannels, int classes, int width, int hidden, NormLayerFactory norm) : base($"VGG{depth}BN")
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var stageEnds = new List<string>();
        var stageChannels = new List<int>();
        var norms = new List<ConvolutionNorm>();
        long channels = inChannels;
        foreach (int units in depth == 19 ? Vgg19 : Vgg16)
        {
            if (units == 0)
            {
                layers.Add((layers.Count.ToString(), nn.MaxPool2d(2, 2)));
                stageEnds.Add(layers[^1].Item1);
                stageChannels.Add((int)channels);
                continue;
            }
            norms.Add(new($"features.{layers.Count}", $"features.{layers.Count + 1}"));
            layers.Add((layers.Count.ToString(), nn.Conv2d(channels, units * width, 3, padding: 1)));
            layers.Add((layers.Count.ToString(), norm(units * width)));
            layers.Add((layers.Count.ToString(), nn.ReLU()));
            channels = units * width;
        }
        features = nn.Sequential(layers);
        _features = new FeatureLayers(layers);
        _stageEnds = [.. stageEnds];
        _layers = new ClassifierLayers(nn.Linear(channels * 7 * 7, hidden), nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.Dropout(0.5), nn.Linear(hidden, classes));
        classifier = nn.Sequential(("0", _layers.Hidden1), ("1", nn.ReLU()), ("2", _layers.Dropout1), ("3", _layers.Hidden2), ("4", nn.ReLU()),
            ("5", _layers.Dropout2), ("6", _layers.Output));
        Stages = [.. stageEnds.Select((end, i) => new FeatureStage($"stage{i + 1}", $"features.{end}", stageChannels[i], true))];
        // classifier.0 reads the last stage pooled to 7×7 and flattened: 49 columns per channel.
        LastStageGate = new ChannelGate("classifier.0", _layers.Hidden1, (int)channels, 7 * 7);
        // The stage's modules end at a max-pool, which holds no weights: name its convolutions and the two hidden layers.
        LastStageModules = [.. norms.Select(n => n.Convolution).Where(c => int.Parse(c["features.".Length..]) > int.Parse(stageEnds[^2])),
            "classifier.0", "classifier.3"];
        ConvolutionNorms = norms;
        RegisterComponents();
    }

    /// <summary>Five 2×2 max-pools need images of at least 32×32 (torchvision's VGG fails below that too).</summary>
    public static ModelSpec CheckSize(ModelSpec spec) =>
        spec.ImageHeight >= 32 && spec.ImageWidth >= 32
            ? spec
            : throw new Core.AntidoteException($"{spec.Name}: images must be at least 32x32 (five 2x2 max-pools), got {spec.ImageHeight}x{spec.ImageWidth}");

    public override Linear Classifier => _layers.Output;

    public override string ClassifierName => "classifier.6";

    /// <summary>The convolutions after the fourth max-pool and the classifier's two hidden layers.</summary>
    public override IReadOnlyList<string> LastStageModules { get; }

    /// <summary>"stage1" … "stage5": the output of each max-pool of <c>features</c>.</summary>
    public override IReadOnlyList<FeatureStage> Stages { get; }

    public override ChannelGate LastStageGate { get; }

    public override IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; }

    public override Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage)
    {
        int stage = 0;
        foreach (var (name, layer) in _features.All)
        {
            x = layer.call(x);
            if (stage < _stageEnds.Length && name == _stageEnds[stage])
                onStage?.Invoke(Stages[stage++].Name, x);
        }
        var pooled = nn.functional.adaptive_avg_pool2d(x, [7, 7]).flatten(1);
        var h1 = _layers.Dropout1.call(nn.functional.relu(_layers.Hidden1.call(pooled)));
        return _layers.Dropout2.call(nn.functional.relu(_layers.Hidden2.call(h1)));
    }
}
