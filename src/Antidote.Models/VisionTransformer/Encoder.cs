using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Antidote.Models.VisionTransformer;

/// <summary>torchvision's Encoder: add the learnt position embedding, dropout, the encoder layers
/// ("layers.encoder_layer_N"), and a final LayerNorm ("ln").</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private readonly Parameter pos_embedding;
    private readonly Dropout dropout;
    private readonly Sequential layers;
    private readonly LayerNorm ln;
    // The layers with their names, listed once (a record, not Module fields: registered once, under "layers").
    private readonly NamedLayers _named;

    private sealed record NamedLayers(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> All);

    public Encoder(long sequence, int layerCount, int heads, long hidden, long mlpDim, double dropoutRate) : base(nameof(Encoder))
    {
        pos_embedding = nn.Parameter(empty(1, sequence, hidden).normal_(0, 0.02));
        dropout = nn.Dropout(dropoutRate);
        var blocks = Enumerable.Range(0, layerCount)
            .Select(i => ($"encoder_layer_{i}", (nn.Module<Tensor, Tensor>)new EncoderBlock(hidden, heads, mlpDim, dropoutRate))).ToList();
        layers = nn.Sequential(blocks);
        _named = new NamedLayers(blocks);
        ln = nn.LayerNorm(hidden, eps: 1e-6);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens) => Forward(tokens, null);

    /// <summary>The encoded tokens, handing each layer's output to <paramref name="onLayer"/> ("encoder_layer_N").</summary>
    public Tensor Forward(Tensor tokens, Action<string, Tensor>? onLayer)
    {
        var x = dropout.call(tokens + pos_embedding);
        foreach (var (name, layer) in _named.All)
        {
            x = layer.call(x);
            onLayer?.Invoke(name, x);
        }
        return ln.call(x);
    }
}
