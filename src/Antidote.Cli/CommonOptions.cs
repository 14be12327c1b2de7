using System.CommandLine;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.Runtime;

namespace Antidote.Cli;

/// <summary>Options several commands share, created fresh for each command, and their validation.</summary>
public static class CommonOptions
{
    public static Option<long> Seed() => new("--seed") { Description = "Seed for data order, poisoning and initialisation", DefaultValueFactory = _ => 0 };

    public static Option<string?> Data() => new("--data") { Description = "Dataset folder (else $ANTIDOTE_DATA, else the system package's folder)" };

    public static Option<bool> Force() => new("--force") { Description = "Replace an existing run folder of the same name" };

    public static Option<string> Dataset() => new("--dataset") { Description = "Dataset name (see `antidote list`)", DefaultValueFactory = _ => "fashion-mnist" };

    public static Option<string> Model() => new("--model") { Description = "Model name (see `antidote list`); its own options are --{model}-*", DefaultValueFactory = _ => "small-cnn" };

    public static Option<int> EvalEvery(int fallback) => new("--eval-every")
    {
        Description = "Evaluate ACC/ASR/RA on the test sets every N epochs (0 = only at the start and end)",
        DefaultValueFactory = _ => fallback,
    };

    /// <summary>Where a command writes its run folders (each command has its own default).</summary>
    public static Option<string> Out(string fallback) => new("--out")
    {
        Description = "Folder the run folders go in", DefaultValueFactory = _ => fallback,
    };

    public static Option<int> AttackEpochs(int defaultEpochs = 10) => new("--attack-epochs") { Description = "Epochs of backdoor training", DefaultValueFactory = _ => defaultEpochs };

    public static Option<string> Method() => new("--method") { Description = "Defense name (see `antidote list`); its options are --{method}-*", DefaultValueFactory = _ => "d3" };

    public static Option<double> CleanRatio() => new("--clean-ratio")
    {
        Description = "Fraction of the clean training set the defender holds (the paper: 0.05)", DefaultValueFactory = _ => 0.05,
    };

    public static Option<double> Holdout() => new("--holdout")
    {
        Description = "Fraction of the clean images held out, never trained or searched on, to measure the results (ACC, ASR, a reversed trigger's success)",
        DefaultValueFactory = _ => 0.2,
    };

    /// <summary>A run folder: the attack run defend and show-attack start from, the run eval and scan measure.</summary>
    public static Option<string> Run(bool required = true) => new("--run", "--from", "--attack-run")
    {
        Description = "Run folder (defend, show-attack: an attack run; eval, scan: an attack or defense run)", Required = required,
    };

    /// <summary>The results database a sweep writes and results and report read.</summary>
    public static Option<string?> Store() => new("--store")
    {
        Description = "Results store: a SQLite file, or a PostgreSQL connection string (Host=...;Database=...;Username=... or postgres://...) (default: results.db in the sweep's folder)",
    };

    /// <summary>The file results and report write.</summary>
    public static Option<string?> To() => new("--to") { Description = "File to write (results: the table, default: print it; report: the HTML page, default: FOLDER/report.html)" };

    public static Option<string?> Name() => new("--name") { Description = "Run folder name (default: derived from the settings)" };

    internal static ComputeSettings Compute(string device, int threads, string precision = "float32")
    {
        var arithmetic = precision switch
        {
            "float32" => Precision.Float32,
            "bf16" => Precision.Bf16,
            _ => throw new AntidoteException($"unknown --precision '{precision}'; use float32 or bf16"),
        };
        if (threads < 0) throw new AntidoteException($"--threads must be >= 0, got {threads}");
        bool cuda = device == "cuda" || (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out int i) && i >= 0);
        if (device != "cpu" && !cuda)
            throw new AntidoteException($"unknown --device '{device}'; use cpu, cuda or cuda:N");
        if (cuda && !TorchSharp.torch.cuda.is_available())
            throw new AntidoteException($"--device {device}: CUDA is not available (this build uses TorchSharp-cpu, or no GPU is present)");
        return new ComputeSettings(device, threads, arithmetic);
    }

    /// <summary>Refuses all-to-all relabelling for an attack that cannot do it (clean-label SIG).</summary>
    public static void LabelModeSupported(AttackEntry attack, AttackSettings settings)
    {
        if (settings.LabelMode == LabelMode.AllToAll && !attack.SupportsAllToAll)
            throw new AntidoteException($"--label-mode all-to-all is not supported by {attack.Name}");
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
