using System.CommandLine;
using Antidote.Core.Runtime;

namespace Antidote.Cli;

/// <summary>--device and --threads, added together to a command and validated into <see cref="ComputeSettings"/>.</summary>
public sealed class ComputeOptions
{
    private readonly Option<string> _device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int> _threads = new("--threads") { Description = "CPU threads for libtorch (0 = all cores)", DefaultValueFactory = _ => 0 };

    public IEnumerable<Option> All => [_device, _threads];

    public ComputeSettings Settings(ParseResult result) => CommonOptions.Compute(result.GetValue(_device)!, result.GetValue(_threads));
}
