using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// A backdoor attack = a pure trigger kernel + a label policy (+ the poison plan made from them). The kernel
/// maps clean images [N, C, H, W] in [0, 1] to triggered ones and has no hidden state.
/// </summary>
public interface IAttack
{
    string Name { get; }

    LabelPolicy Labels { get; }

    /// <summary>Clean-label attacks poison only target-class images and keep their labels (SIG).</summary>
    bool CleanLabel { get; }

    /// <summary>The triggered images; the result belongs to the caller's dispose scope.</summary>
    Tensor ApplyTrigger(Tensor images);
}
