using Antidote.Core;
using Antidote.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Defenses.ChannelLipschitz;

/// <summary>
/// Channel Lipschitzness-based pruning (Zheng et al., ECCV 2022), data-free, as BackdoorBench runs it (defense/clp.py): for
/// every convolution feeding a batch norm, each output channel's upper bound on its Lipschitz constant is the largest singular
/// value of its kernel (in-channels × k·k) times |γ/σ| of its norm; channels above the layer's mean + u·std are pruned by zeroing
/// the norm's weight and bias. Uses no data at all; the parameter names and shapes stay as they are.
/// </summary>
public sealed class ChannelLipschitzDefense(ChannelLipschitzOptions options) : IDefense
{
    public string Name => "clp";

    public DefenseOutcome Run(DefenseContext context)
    {
        var model = context.CopyOfModel();
        if (model.ConvolutionNorms.Count == 0)
        {
            model.Dispose();
            throw new AntidoteException($"clp does not apply to {model.GetType().Name}: it has no convolution followed by batch norm");
        }
        int pruned = 0, total = 0;
        using (no_grad())
        {
            foreach (var pair in model.ConvolutionNorms)
            {
                var conv = (Conv2d)model.Module(pair.Convolution);
                var norm = (BatchNorm2d)model.Module(pair.Norm);
                using var scope = NewDisposeScope();
                var bound = UpperBounds(conv.weight!, norm);
                var over = bound.gt(bound.mean() + options.U * bound.std()).nonzero().flatten();
                if (over.numel() > 0)
                {
                    norm.weight!.index_fill_(0, over, 0);
                    norm.bias!.index_fill_(0, over, 0);
                }
                pruned += (int)over.numel();
                total += (int)bound.numel();
            }
        }
        context.Log.Info($"clp: pruned {pruned} of {total} channels over {model.ConvolutionNorms.Count} convolution/norm pairs (u = {options.U})");
        return new DefenseOutcome(model, [], new Dictionary<string, double> { ["pruned_channels"] = pruned });
    }

    /// <summary>Per output channel: σ_max(W_c reshaped to in × k·k) · |γ_c / sqrt(var_c + ε)|.</summary>
    internal static Tensor UpperBounds(Tensor weight, BatchNorm2d norm)
    {
        var kernels = weight.reshape(weight.shape[0], weight.shape[1], -1);
        var largest = linalg.svdvals(kernels).amax(1);
        var scale = (norm.weight! / (norm.running_var! + norm.eps).sqrt()).abs();
        return largest * scale;
    }
}
