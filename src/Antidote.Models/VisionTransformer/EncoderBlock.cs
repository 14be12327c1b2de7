using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.VisionTransformer;

/// <summary>torchvision's EncoderBlock: x + Dropout(Attention(LN(x))), then + MLP(LN(·)), LayerNorm ε = 1e-6, the MLP being
/// Linear → GELU → Dropout → Linear → Dropout ("mlp.0", "mlp.3").</summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly SelfAttention self_attention;
    private readonly Dropout dropout;
    private readonly LayerNorm ln_2;
    private readonly Sequential mlp;

    public EncoderBlock(long hidden, int heads, long mlpDim, double dropoutRate) : base(nameof(EncoderBlock))
    {
        ln_1 = nn.LayerNorm(hidden, eps: 1e-6);
        self_attention = new SelfAttention(hidden, heads);
        dropout = nn.Dropout(dropoutRate);
        ln_2 = nn.LayerNorm(hidden, eps: 1e-6);
        var fc1 = nn.Linear(hidden, mlpDim);
        var fc2 = nn.Linear(mlpDim, hidden);
        // torchvision's MLPBlock: Xavier-uniform weights, biases N(0, 1e-6).
        nn.init.xavier_uniform_(fc1.weight!);
        nn.init.xavier_uniform_(fc2.weight!);
        nn.init.normal_(fc1.bias!, std: 1e-6);
        nn.init.normal_(fc2.bias!, std: 1e-6);
        mlp = nn.Sequential(("0", fc1), ("1", nn.GELU()), ("2", nn.Dropout(dropoutRate)), ("3", fc2), ("4", nn.Dropout(dropoutRate)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = dropout.call(self_attention.call(ln_1.call(input))) + input;
        return x + mlp.call(ln_2.call(x));
    }
}
