using System.CommandLine;
using Antidote.Cli.Terminal;
using Antidote.Experiments.Imports;

namespace Antidote.Cli.Commands;

/// <summary>`antidote import`: a BackdoorBench attack record as an Antidote attack run folder.</summary>
public sealed class ImportCommand : Command
{
    private readonly Argument<string> _record = new("RECORD") { Description = "A BackdoorBench 2.x record folder (attack_result.pt, bd_test_dataset/, attack_df_summary.csv)" };
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly Option<string> _out = CommonOptions.Out("runs");
    private readonly Option<string?> _name = CommonOptions.Name();
    private readonly Option<bool> _force = CommonOptions.Force();
    private readonly ComputeOptions _compute = new();

    public ImportCommand() : base("import", "Turn a BackdoorBench attack record into an Antidote attack run folder (default: runs/NAME-OF-RECORD) " +
        "that `defend`, `eval`, `scan`, `sweep` and `report` take: its model, its poisoned training rows and its own triggered test images. " +
        "Prints ACC/ASR/RA measured here beside the record's own (attack_df_summary.csv). --data is the record's clean dataset " +
        "(CIFAR-10/100, binary version)")
    {
        Arguments.Add(_record);
        foreach (var option in new Option[] { _data, _out, _name, _force }.Concat(_compute.All)) Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            string record = r.GetValue(_record)!;
            var compute = _compute.Settings(r);
            compute.Apply();
            var location = BackdoorBenchImport.DefaultLocation(record, r.GetValue(_out)!, r.GetValue(_name), r.GetValue(_force));
            var s = BackdoorBenchImport.Run(record, r.GetValue(_data), location, new ConsoleRunLog(), compute.TorchDevice);
            Console.WriteLine($"measured here:  ACC {s.Measured.Accuracy:P2}  ASR {s.Measured.AttackSuccessRate:P2}  RA {s.Measured.RobustAccuracy:P2}");
            Console.WriteLine(s.Own is { } own
                ? $"the record's own: ACC {own.Accuracy:P2}  ASR {own.AttackSuccessRate:P2}  RA {own.RobustAccuracy:P2}"
                : "the record's own: not given (no attack_df_summary.csv)");
            Console.WriteLine($"-> {location.Path}");
            return 0;
        }));
    }
}
