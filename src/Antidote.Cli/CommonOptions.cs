using System.CommandLine;
using Antidote.Core;
using Antidote.Core.Runtime;
using Antidote.Defenses.D3;

namespace Antidote.Cli;

/// <summary>Options several commands share, created fresh for each command, and their validation.</summary>
public static class CommonOptions
{
    public static Option<long> Seed() => new("--seed") { Description = "Seed for data order, poisoning and initialisation", DefaultValueFactory = _ => 0 };

    public static Option<string?> Data() => new("--data") { Description = "Dataset folder (else $ANTIDOTE_DATA, else the system package's folder)" };

    public static Option<bool> Force() => new("--force") { Description = "Replace an existing run folder of the same name" };

    /// <summary>D3's λ rule (demo and defend), defaulting to <see cref="D3Options"/>'s.</summary>
    public static Option<string> LambdaMode()
    {
        var option = new Option<string>("--lambda-mode")
        {
            Description = "D3: dual (λ as the Lagrange multiplier of the clean constraint, moved by dual ascent; our default) or fixed (the paper's penalty, λ from --lambda)",
            DefaultValueFactory = _ => new D3Options().LambdaMode == Defenses.D3.LambdaMode.Dual ? "dual" : "fixed",
        };
        option.AcceptOnlyFromAmong("fixed", "dual");
        return option;
    }

    public static Defenses.D3.LambdaMode LambdaModeOf(string value) => value == "fixed" ? Defenses.D3.LambdaMode.Fixed : Defenses.D3.LambdaMode.Dual;

    /// <summary>D3's fixed λ (demo and defend).</summary>
    public static Option<double> Lambda() => new("--lambda")
    {
        Description = "D3 fixed mode: weight on the clean hinge loss (0.5 is the reference code's configuration, the only verified value; " +
                      "10 comes from a secondary summary of the paper that could not be checked against its text)",
        DefaultValueFactory = _ => new D3Options().Lambda,
    };

    public static Option<string?> Name() => new("--name") { Description = "Run folder name (default: derived from the settings)" };

    internal static ComputeSettings Compute(string device, int threads)
    {
        if (threads < 0) throw new AntidoteException($"--threads must be >= 0, got {threads}");
        bool cuda = device == "cuda" || (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out int i) && i >= 0);
        if (device != "cpu" && !cuda)
            throw new AntidoteException($"unknown --device '{device}'; use cpu, cuda or cuda:N");
        if (cuda && !TorchSharp.torch.cuda.is_available())
            throw new AntidoteException($"--device {device}: CUDA is not available (this build uses TorchSharp-cpu, or no GPU is present)");
        return new ComputeSettings(device, threads);
    }

    public static void Positive(string option, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new AntidoteException($"{option} must be > 0, got {value}");
    }

    public static void Fraction(string option, double value, bool allowZero = false)
    {
        if (!(allowZero ? value >= 0 : value > 0) || value > 1 || double.IsNaN(value))
            throw new AntidoteException($"{option} must be in {(allowZero ? "[0" : "(0")}, 1], got {value}");
    }

    public static void NotNegative(string option, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new AntidoteException($"{option} must be >= 0, got {value}");
    }
}
