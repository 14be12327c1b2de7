using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.SmallCnn;

/// <summary>
/// A small CNN for 28×28 inputs: [conv3×3 → BN → ReLU → max-pool] × 2 → fc1 (128) → ReLU → linear.
/// BatchNorm is there so BN-related defense options (frozen vs. train mode) mean the same as on ResNets.
/// </summary>
public sealed class SmallCnn : ImageClassifier
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Linear fc1;
    private readonly Linear linear;

    public SmallCnn(int inChannels, int classes, int height, int width, int channels = 32) : base(nameof(SmallCnn))
    {
        conv1 = nn.Conv2d(inChannels, channels, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, 2 * channels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(2 * channels);
        fc1 = nn.Linear(2 * channels * (height / 4) * (width / 4), 128);
        linear = nn.Linear(128, classes);
        RegisterComponents();
    }

    public override Linear Classifier => linear;

    public override string ClassifierName => nameof(linear);

    public override Tensor ForwardFeatures(Tensor x)
    {
        var out1 = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.call(x))), 2);
        var out2 = nn.functional.max_pool2d(nn.functional.relu(bn2.call(conv2.call(out1))), 2);
        return nn.functional.relu(fc1.call(out2.flatten(1)));
    }
}
