using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.VisionTransformer;

/// <summary>Multi-head self-attention with PyTorch's nn.MultiheadAttention parameters (in_proj_weight, in_proj_bias,
/// out_proj) on batch-first tokens [N, L, E]: softmax(q·kᵀ/√d)·v per head.</summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly int _heads;

    public SelfAttention(long hidden, int heads) : base(nameof(SelfAttention))
    {
        _heads = heads;
        in_proj_weight = nn.Parameter(empty(3 * hidden, hidden));
        in_proj_bias = nn.Parameter(zeros(3 * hidden));
        out_proj = nn.Linear(hidden, hidden);
        nn.init.xavier_uniform_(in_proj_weight);
        using (no_grad()) out_proj.bias!.zero_();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0], length = x.shape[1], width = x.shape[2], head = width / _heads;
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias).view(n, length, 3, _heads, head).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        var attention = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(head)).softmax(-1);
        var mixed = attention.matmul(v).transpose(1, 2).reshape(n, length, width);
        return out_proj.call(mixed);
    }
}
