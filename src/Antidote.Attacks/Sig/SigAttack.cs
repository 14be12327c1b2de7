using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Options;
using static TorchSharp.torch;

namespace Antidote.Attacks.Sig;

/// <summary>SIG's signal.</summary>
public sealed record SigOptions(
    [Description("Amplitude δ in pixel units of 255 (BackdoorBench: 40)")]
    double Delta = 40,
    [Description("Cycles f across the image width (BackdoorBench: 6)")]
    double Frequency = 6) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Delta), Delta);
        OptionCheck.Positive(nameof(Frequency), Frequency);
    }
}

/// <summary>
/// SIG (Barni et al. 2019), clean-label: only target-class training images get the signal, labels unchanged.
/// v(i, j) = δ·sin(2π·j·f / W), added to every channel and clipped to [0, 1]; δ = 40/255, f = 6 (D3 paper).
/// </summary>
public sealed class SigAttack : IAttack
{
    public SigAttack(AttackRequest request, SigOptions options)
    {
        if (request.Settings.LabelMode != LabelMode.AllToOne)
            throw new AntidoteException("sig is a clean-label, all-to-one attack");
        Labels = request.Labels;
        Delta = options.Delta / 255.0;
        Frequency = options.Frequency;
    }

    public string Name => "sig";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => true;

    /// <summary>Amplitude in [0, 1] units.</summary>
    public double Delta { get; }

    public double Frequency { get; }

    public Tensor ApplyTrigger(Tensor images)
    {
        long w = images.shape[3];
        var columns = arange(w, dtype: ScalarType.Float32, device: images.device);
        var signal = (columns * (float)(2 * Math.PI * Frequency / w)).sin() * (float)Delta;
        return (images + signal.view(1, 1, 1, w)).clamp(0, 1);
    }
}
