using System.CommandLine;
using Antidote.Experiments;

namespace Antidote.Cli.Commands;

/// <summary>`antidote eval`: ACC, ASR and RA of a run folder's model.</summary>
public sealed class EvalCommand : Command
{
    private readonly Option<string> _run = CommonOptions.Run();
    private readonly Option<string?> _data = CommonOptions.Data();
    private readonly ComputeOptions _compute = new(precision: true);

    public EvalCommand() : base("eval", "Measure ACC, ASR and RA of a run's model on the clean and triggered test sets")
    {
        Options.Add(_run);
        Options.Add(_data);
        foreach (var option in _compute.All)
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            var result = EvalExperiment.Run(r.GetValue(_run)!, r.GetValue(_data), _compute.Settings(r));
            Console.WriteLine($"ACC {result.Accuracy:P2}  ASR {result.AttackSuccessRate:P2}  RA {result.RobustAccuracy:P2}");
            return 0;
        }));
    }
}
