using Antidote.Core;
using Antidote.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Defenses.D3;

/// <summary>
/// Weights a defense moves away from where they started, with a frozen copy of their initial values W0 and initial p-norms:
/// D3's θ_s (every Linear/Conv2d weight inside the named modules, "" = the whole model, biases excluded; reference:
/// extract_linear_and_conv_params) and FST's classifier head. Both keep each tensor on the sphere of its initial norm.
/// </summary>
public sealed class SelectedWeights : IDisposable
{
    private readonly List<Tensor> _initial = [];
    private readonly List<double> _initialNorms = [];

    public SelectedWeights(ImageClassifier model, string moduleName, double p) : this(model, [moduleName], p) { }

    /// <summary>The weights inside any of <paramref name="moduleNames"/> ("" = the whole model), each taken once.</summary>
    public SelectedWeights(ImageClassifier model, IReadOnlyList<string> moduleNames, double p)
    {
        P = p;
        Modules = moduleNames;
        foreach (var (name, weight) in Find(model, moduleNames))
        {
            Names.Add(name + ".weight");
            Weights.Add(weight);
            _initial.Add(weight.detach().clone().DetachFromDisposeScope());
            _initialNorms.Add(weight.detach().norm((float)p).item<float>());
        }
    }

    /// <summary>Throws (one line) unless every module path exists and together they hold some Linear/Conv2d weight; copies nothing.</summary>
    public static void Check(ImageClassifier model, IReadOnlyList<string> moduleNames) => Find(model, moduleNames);

    private static List<(string Name, Tensor Weight)> Find(ImageClassifier model, IReadOnlyList<string> moduleNames)
    {
        var modules = model.named_modules().ToList();
        foreach (var moduleName in moduleNames)
            if (moduleName != "" && !modules.Any(m => m.name == moduleName))
                throw new AntidoteException($"D3: model has no module '{moduleName}'; top-level modules: {string.Join(", ", model.named_children().Select(c => c.name))}");
        var found = new List<(string, Tensor)>();
        foreach (var (name, module) in modules)
        {
            bool inside = Within(name, moduleNames);
            Tensor? weight = module switch { Linear l => l.weight, Conv2d c => c.weight, _ => null };
            if (inside && weight is not null) found.Add((name, weight));
        }
        if (found.Count == 0)
            throw new AntidoteException($"D3: {string.Join(", ", moduleNames.Select(m => $"'{m}'"))} holds no Linear or Conv2d weights");
        return found;
    }

    /// <summary>The module paths the weights were selected from ("" = the whole model).</summary>
    public IReadOnlyList<string> Modules { get; }

    /// <summary>True when the module or parameter at <paramref name="path"/> ("layer4.1.conv1", "linear.bias") lies inside the
    /// selected modules, biases and normalisation layers included.</summary>
    public bool Covers(string path) => Within(path, Modules);

    private static bool Within(string path, IReadOnlyList<string> moduleNames) =>
        moduleNames.Any(m => m == "" || path == m || path.StartsWith(m + ".", StringComparison.Ordinal));

    /// <summary>The module paths a push names on this model: the classifier, the last stage and the classifier, or everything.</summary>
    public static IReadOnlyList<string> ModulesFor(ImageClassifier model, D3Push push) => push switch
    {
        D3Push.Classifier => [model.ClassifierName],
        D3Push.LastStage => [.. model.LastStageModules, model.ClassifierName],
        _ => [""],
    };

    public double P { get; }

    public List<string> Names { get; } = [];

    public List<Tensor> Weights { get; } = [];

    public IReadOnlyList<double> InitialNorms => _initialNorms;

    /// <summary>d = Σ_k ‖W_k − W0_k‖_p (not squared, not averaged), differentiable.</summary>
    public Tensor Distance()
    {
        Tensor total = (Weights[0] - _initial[0]).norm((float)P);
        for (int k = 1; k < Weights.Count; k++)
            total = total + (Weights[k] - _initial[k]).norm((float)P);
        return total;
    }

    /// <summary>Σ_k sum(W_k ⊙ W0_k): FST's penalty, the inner product with the initial weights, differentiable.</summary>
    public Tensor InnerProductWithInitial()
    {
        Tensor total = (Weights[0] * _initial[0]).sum();
        for (int k = 1; k < Weights.Count; k++)
            total = total + (Weights[k] * _initial[k]).sum();
        return total;
    }

    /// <summary>Projects every selected tensor back onto the sphere of its initial norm: W ← W·‖W0‖/‖W‖.</summary>
    public void Project()
    {
        using var noGrad = no_grad();
        for (int k = 0; k < Weights.Count; k++)
        {
            using var norm = Weights[k].norm((float)P);
            Weights[k].mul_(_initialNorms[k] / norm.item<float>());
        }
    }

    /// <summary>Moves θ_s to its warm-up starting point.</summary>
    public void Initialize(D3Initialization initialization)
    {
        using var noGrad = no_grad();
        for (int k = 0; k < Weights.Count; k++)
        {
            var w = Weights[k];
            switch (initialization)
            {
                case D3Initialization.Near: break;
                case D3Initialization.Middle: w.zero_(); break;
                case D3Initialization.Far: w.neg_(); break;
                case D3Initialization.Noise:
                    using (var noise = randn_like(w).mul_(_initial[k].std().item<float>())) w.add_(noise);
                    break;
                default:
                    w.uniform_(-0.5, 0.5);
                    using (var norm = w.norm((float)P)) w.mul_(_initialNorms[k] / norm.item<float>());
                    break;
            }
        }
    }

    public void Dispose()
    {
        foreach (var t in _initial) t.Dispose();
    }
}
