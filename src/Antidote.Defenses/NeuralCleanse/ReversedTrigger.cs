using static TorchSharp.torch;

namespace Antidote.Defenses.NeuralCleanse;

/// <summary>
/// The smallest trigger found for one class: x' = (1 − m)·x + m·p with a mask m [1, H, W] and a pattern p [C, H, W], both in
/// [0, 1] (pixel space). Owns its tensors.
/// </summary>
public sealed class ReversedTrigger(int target, Tensor mask, Tensor pattern) : IDisposable
{
    public int Target { get; } = target;

    public Tensor Mask { get; } = mask.detach().clone().DetachFromDisposeScope();

    public Tensor Pattern { get; } = pattern.detach().clone().DetachFromDisposeScope();

    /// <summary>‖m‖₁: how many pixels' worth of the image the trigger needs (Neural Cleanse's measure).</summary>
    public double MaskNorm => Mask.abs().sum().item<float>();

    /// <summary>Stamps images in [0, 1] [N, C, H, W] (the result belongs to the caller's scope).</summary>
    public Tensor Apply(Tensor images) => (1 - Mask.to(images.device)) * images + Mask.to(images.device) * Pattern.to(images.device);

    public void Dispose()
    {
        Mask.Dispose();
        Pattern.Dispose();
    }
}
