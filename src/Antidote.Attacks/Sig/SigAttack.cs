using static TorchSharp.torch;

namespace Antidote.Attacks.Sig;

/// <summary>
/// SIG (Barni et al. 2019), clean-label: only target-class training images get the signal, labels unchanged.
/// v(i, j) = δ·sin(2π·j·f / W), added to every channel and clipped to [0, 1]; δ = 40/255, f = 6 (D3 paper).
/// </summary>
public sealed class SigAttack : IAttack
{
    public SigAttack(AttackRequest request)
    {
        if (request.Settings.LabelMode != LabelMode.AllToOne)
            throw new ArgumentException("SIG is a clean-label, all-to-one attack");
        Labels = request.Labels;
        Delta = request.Settings.TriggerOrDefault.SigDelta;
        Frequency = request.Settings.TriggerOrDefault.SigFrequency;
    }

    public string Name => "sig";

    public LabelPolicy Labels { get; }

    public bool CleanLabel => true;

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
