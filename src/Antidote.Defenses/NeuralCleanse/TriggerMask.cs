namespace Antidote.Defenses.NeuralCleanse;

/// <summary>The shape of the mask a trigger search fits.</summary>
public enum TriggerMask
{
    /// <summary>One weight per pixel: Neural Cleanse's search, made for small opaque patches (BadNets).</summary>
    PerPixel,

    /// <summary>One weight for the whole image, a faint full-image blend (1 − a)·x + a·p: the shape of a Blended trigger,
    /// which a per-pixel L1 norm does not find small. Its norm is a·H·W, in the same pixel units.</summary>
    Uniform,
}
