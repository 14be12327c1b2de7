using System.CommandLine;
using System.Runtime.InteropServices;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Antidote.Cli.Commands;
using Antidote.Cli.Options;
using Antidote.Core;

namespace Antidote.Cli;

/// <summary>The `antidote` command tree and its one error policy.</summary>
public static class Cli
{
    /// <summary>Exit code for bad input: unknown names, bad values, missing or corrupt files.</summary>
    public const int UsageError = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("Antidote: plant backdoors in image classifiers and remove them (D3, FT); clean the models you already have (detox).");
        foreach (var command in new Command[] { new DemoCommand(), new AttackCommand(), new DefendCommand(), new DetoxCommand(), new EvalCommand(), new SweepCommand(), new ResultsCommand(), new ReportCommand(), new ListCommand(), new BenchmarkCommand(), new ScanCommand(), new ShowAttackCommand(), new ImportCommand(), new DoctorCommand() })
            root.Subcommands.Add(command);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ComponentHelpAction((SynchronousCommandLineAction)help.Action!);
        return root;
    }

    public static int Main(string[] args)
    {
        var root = Build();
        var parsed = root.Parse(args);
        try
        {
            string[] expanded = ConfigArguments.Expand(parsed, args, parsed.CommandResult.Command is SweepCommand sweep ? sweep.GridFile(parsed) : null);
            if (expanded != args) parsed = root.Parse(expanded);
        }
        catch (Exception e) when (e is AntidoteException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"antidote: error: {Printable.Escape(e.Message, 2000)}");
            return UsageError;
        }
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"antidote: error: {ConfigArguments.Explain(OneLine(parsed.Errors[0].Message))} (see --help)");
            return UsageError;
        }
        // Ctrl-C and SIGTERM cancel the run: the training loop stops at its next step, the staging folder is removed,
        // and Run prints "cancelled" (System.CommandLine's own handling would end the process before that happens).
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Stop(interrupt); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(interrupt); });
        Interrupt = interrupt.Token;
        return parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Seconds a command has, after Ctrl-C or SIGTERM, to reach a point where it stops cleanly (the next training
    /// step); work that checks for none (a file still loading, a blocked read) is ended after that.</summary>
    public const int StopGraceSeconds = 10;

    private static void Stop(CancellationTokenSource interrupt)
    {
        interrupt.Cancel();
        // The staging folder of a process that is gone is removed by the next run that writes to the same folder.
        _ = Task.Delay(TimeSpan.FromSeconds(StopGraceSeconds)).ContinueWith(_ =>
        {
            Console.Error.WriteLine("antidote: cancelled");
            Environment.Exit(130);
        }, TaskScheduler.Default);
    }

    /// <summary>Cancelled by Ctrl-C or SIGTERM while a command runs.</summary>
    public static CancellationToken Interrupt { get; private set; }

    /// <summary>A parser message folded onto one line ("Must be one of:" lists come one per line).</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Replace("' '", "', '");

    /// <summary>Runs a command body: user errors become one line on stderr and exit 2, never a stack trace.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("antidote: cancelled");
            return 130;
        }
        // Bad input, or a file or folder the user cannot read or write, a full disk: the environment, not a bug; the
        // message names the path.
        catch (Exception e) when (e is AntidoteException or UnauthorizedAccessException or IOException)
        {
            Console.Error.WriteLine($"antidote: error: {Printable.Escape(ConfigArguments.Explain(e.Message), 2000)}");
            return UsageError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("ANTIDOTE_DEBUG") is null)
        {
            Console.Error.WriteLine($"antidote: internal error: {e.GetType().Name}: {Printable.Escape(e.Message.Split('\n')[0], 2000)} (set ANTIDOTE_DEBUG=1 for the trace)");
            return 1;
        }
    }
}
