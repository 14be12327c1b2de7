using System.CommandLine;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.Runtime;
using Antidote.Defenses;

namespace Antidote.Cli;

/// <summary>--device and --threads (and, for commands that train or score, --precision), added together to a command and
/// validated into <see cref="ComputeSettings"/>.</summary>
public sealed class ComputeOptions(bool precision = false)
{
    private readonly Option<string> _device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int> _threads = new("--threads") { Description = "CPU threads for libtorch (0 = all cores)", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _precision = new("--precision")
    {
        Description = "float32, or bf16: forward and backward passes in bfloat16 on a copy of the model, float32 master weights " +
                      "(faster on CPUs with native bfloat16; other numbers than float32's; badnets, blended, sig, wanet, bpp, ft, d3, fst)",
        DefaultValueFactory = _ => "float32",
    };

    public IEnumerable<Option> All => precision ? [_device, _threads, _precision] : [_device, _threads];

    public ComputeSettings Settings(ParseResult result) =>
        CommonOptions.Compute(result.GetValue(_device)!, result.GetValue(_threads), precision ? result.GetValue(_precision)! : "float32");

    /// <summary>Refuses --precision bf16 for an attack whose steps were not checked in bfloat16 (one line, before any work).</summary>
    public static void Supports(ComputeSettings compute, AttackEntry attack) => Supports(compute, "attack", attack.Name, attack.SupportsBFloat16);

    /// <summary>Refuses --precision bf16 for a defense whose steps were not checked in bfloat16 (one line, before any work).</summary>
    public static void Supports(ComputeSettings compute, DefenseEntry defense) => Supports(compute, "defense", defense.Name, defense.SupportsBFloat16);

    private static void Supports(ComputeSettings compute, string kind, string name, bool supported)
    {
        if (compute.Precision == Precision.Bf16 && !supported)
            throw new AntidoteException($"--precision bf16 is not supported by the {kind} {name} yet; use --precision float32");
    }
}
