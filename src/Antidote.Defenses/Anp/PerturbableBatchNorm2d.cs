using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Defenses.Anp;

/// <summary>
/// BatchNorm2d with ANP's neuron mask m and multiplicative perturbations δ, ξ (Wu and Wang, NeurIPS 2021; BackdoorBench
/// utils/defense_utils/anp NoisyBatchNorm2d): γ·(m + δ) and β·(1 + ξ) when perturbed, γ·m and β otherwise. Its own parameters
/// and buffers carry BatchNorm2d's names, so a model's state dict loads into it unchanged.
/// </summary>
public sealed class PerturbableBatchNorm2d : nn.Module<Tensor, Tensor>
{
    private const double Momentum = 0.1, Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;
    private readonly Parameter neuron_mask;
    private readonly Parameter neuron_noise;
    private readonly Parameter neuron_noise_bias;

    public PerturbableBatchNorm2d(long channels) : base(nameof(PerturbableBatchNorm2d))
    {
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        running_mean = zeros(channels);
        running_var = ones(channels);
        num_batches_tracked = zeros(1, dtype: ScalarType.Int64).squeeze();
        neuron_mask = new Parameter(ones(channels));
        neuron_noise = new Parameter(zeros(channels));
        neuron_noise_bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <summary>Whether the perturbation is applied on the next forward passes.</summary>
    public bool Perturbed { get; set; }

    public Parameter Mask => neuron_mask;

    public IEnumerable<Parameter> Noise => [neuron_noise, neuron_noise_bias];

    /// <summary>Draws δ and ξ uniformly in [−ε, ε] (BackdoorBench's reset with rand_init).</summary>
    public void RandomizeNoise(double eps, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var noise in Noise)
            noise.copy_(rand(noise.shape, generator: generator) * (2 * eps) - eps);
    }

    public override Tensor forward(Tensor x)
    {
        var scale = Perturbed ? neuron_mask + neuron_noise : (Tensor)neuron_mask;
        var shift = Perturbed ? bias * (neuron_noise_bias + 1) : (Tensor)bias;
        if (training)
            using (no_grad()) num_batches_tracked.add_(1);
        return nn.functional.batch_norm(x, running_mean, running_var, weight * scale, shift, training, Momentum, Epsilon);
    }
}
