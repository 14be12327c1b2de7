namespace Antidote.Core.Runtime;

/// <summary>The number format of training and evaluation arithmetic. Weights, optimizer state and saved checkpoints stay
/// float32 either way.</summary>
public enum Precision
{
    /// <summary>Everything in float32 (the default; the numbers every table here was measured with).</summary>
    Float32,

    /// <summary>Forward and backward passes in bfloat16 on a bfloat16 copy of the model, the optimizer stepping float32 master
    /// weights (mixed precision; norm layers and the loss stay float32). Faster on CPUs with native bfloat16; other numbers.</summary>
    Bf16,
}
