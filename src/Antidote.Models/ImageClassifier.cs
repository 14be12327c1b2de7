using Antidote.Core.Runtime;
using Antidote.Models.Structure;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models;

/// <summary>
/// The contract every model shares (after timm's forward_features / forward_head / get_classifier), so that
/// defenses never branch on a model's name.
/// </summary>
public abstract class ImageClassifier : nn.Module<Tensor, Tensor>
{
    // Every model's first convolution comes after this: libtorch's kernels are prepared (and checked) once per process.
    protected ImageClassifier(string name) : base(name) => TorchRuntime.EnsureReady();

    /// <summary>Everything up to the classifier's input: [N, C, H, W] → [N, D].</summary>
    public Tensor ForwardFeatures(Tensor x) => ForwardFeatures(x, null);

    /// <summary>The named feature stages in forward order, with their module paths and channel counts (attention distillation
    /// and pruning work on these).</summary>
    public abstract IReadOnlyList<FeatureStage> Stages { get; }

    /// <summary>The stages' names, in forward order.</summary>
    public IReadOnlyList<string> StageNames => [.. Stages.Select(s => s.Name)];

    /// <summary>Where the last convolutional stage's channels enter the first Linear after it (fine-pruning cuts there).</summary>
    public abstract ChannelGate LastStageGate { get; }

    /// <summary>The module paths whose Linear/Conv weights compute the last feature stage (and any hidden layer between it and
    /// the classifier): what D3 pushes beside the classifier with <c>push last-stage</c>. By default the last stage's own module.</summary>
    public virtual IReadOnlyList<string> LastStageModules => [Stages[^1].ModulePath];

    /// <summary>Every convolution that feeds a normalisation layer directly (channel Lipschitz pruning); empty where there is
    /// none (ViT). Declared by each model: the order of its fields is not a contract.</summary>
    public abstract IReadOnlyList<ConvolutionNorm> ConvolutionNorms { get; }

    /// <summary>The module at a path such as "layer4.1.bn2" (the paths <see cref="Stages"/> and <see cref="ConvolutionNorms"/> use).</summary>
    public nn.Module Module(string path) =>
        named_modules().FirstOrDefault(m => m.name == path).module
        ?? throw new InvalidOperationException($"{GetType().Name} has no module '{path}'");

    /// <summary>The features, handing each stage's output to <paramref name="onStage"/> as it is computed.</summary>
    public abstract Tensor ForwardFeatures(Tensor x, Action<string, Tensor>? onStage);

    /// <summary>Every stage's output and the logits (as "logits") of one forward pass.</summary>
    public IReadOnlyDictionary<string, Tensor> ForwardStages(Tensor x)
    {
        var stages = new Dictionary<string, Tensor>();
        stages["logits"] = ForwardHead(ForwardFeatures(x, (name, output) => stages[name] = output));
        return stages;
    }

    /// <summary>The final linear classifier.</summary>
    public abstract Linear Classifier { get; }

    /// <summary>The classifier's module path (its parameters are "{name}.weight", "{name}.bias").</summary>
    public abstract string ClassifierName { get; }

    public Tensor ForwardHead(Tensor features) => Classifier.call(features);

    public override Tensor forward(Tensor x) => ComputeType == ScalarType.Float32
        ? ForwardHead(ForwardFeatures(x))
        // A bfloat16 copy takes the pipeline's float32 inputs and hands back float32 logits, so losses and metrics stay float32.
        : ForwardHead(ForwardFeatures(x.to(ComputeType))).to(ScalarType.Float32);

    /// <summary>The type the convolutions and linear layers compute in: float32, or bfloat16 on the copy that mixed-precision
    /// training and evaluation run (see <see cref="CastForCompute"/>).</summary>
    public ScalarType ComputeType { get; private set; } = ScalarType.Float32;

    /// <summary>Casts the weights to <paramref name="type"/> for arithmetic, except the norm layers, which keep float32
    /// parameters and statistics (libtorch's CPU norm kernels take bfloat16 inputs with float32 parameters, as autocast does).
    /// Meant for a copy (<see cref="NewOfSameKind"/>): casting replaces the parameter tensors, so an optimizer holding the old
    /// ones would lose them.</summary>
    public void CastForCompute(ScalarType type)
    {
        this.to(type);
        foreach (var (_, module) in named_modules())
            if (module is BatchNorm1d or BatchNorm2d or LayerNorm or GroupNorm)
                module.to(ScalarType.Float32);
        ComputeType = type;
    }

    /// <summary>A new, untrained model of the same architecture, options and norm layers, on the CPU; null for a model built
    /// outside <see cref="ModelCatalog"/>.</summary>
    public ImageClassifier? NewOfSameKind() => Replicate?.Invoke();

    internal Func<ImageClassifier>? Replicate { get; set; }
}
