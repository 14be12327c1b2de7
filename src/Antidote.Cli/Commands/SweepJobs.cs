using System.Diagnostics;
using Antidote.Core;

namespace Antidote.Cli.Commands;

/// <summary>
/// `sweep --jobs N`: the grid split over N processes of this same command, job i running shard i/N, the threads shared
/// between them. The shards' file locks already keep two jobs from training the same backdoored model or running the same
/// cell; each job's output goes to OUT/jobs/job-I.log.
/// </summary>
internal static class SweepJobs
{
    /// <summary>Runs the jobs to the end; a job that fails (or an interrupt, which stops them all) is one clear error.</summary>
    public static void Run(int jobs, int totalThreads, string outFolder, CancellationToken cancel)
    {
        int threads = Math.Max(1, (totalThreads > 0 ? totalThreads : Environment.ProcessorCount) / jobs);
        string logs = Path.Combine(outFolder, "jobs");
        Directory.CreateDirectory(logs);
        string[] command = Environment.GetCommandLineArgs();
        // Under `dotnet antidote.dll` the process is dotnet and the first argument is the assembly.
        bool hosted = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        string file = hosted ? Environment.ProcessPath! : command[0];
        var started = new List<(Process Process, string Log, StreamWriter Writer)>();
        var exitCodes = new int[jobs];
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"sweep: {jobs} jobs of {threads} thread{(threads == 1 ? "" : "s")} each; their output in {logs}/job-*.log");
        try
        {
            for (int i = 0; i < jobs; i++)
            {
                var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                if (hosted) start.ArgumentList.Add(command[0]);
                foreach (string argument in ChildArguments(command[1..], i, jobs, threads))
                    start.ArgumentList.Add(argument);
                string log = Path.Combine(logs, $"job-{i}.log");
                var writer = new StreamWriter(log) { AutoFlush = true };
                var process = new Process { StartInfo = start };
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                started.Add((process, log, writer));
            }
            for (int i = 0; i < started.Count; i++)
            {
                started[i].Process.WaitForExitAsync(cancel).GetAwaiter().GetResult();
                exitCodes[i] = started[i].Process.ExitCode;
                Console.WriteLine($"sweep: job {i} finished (exit {exitCodes[i]}) at {clock.Elapsed:hh\\:mm\\:ss}");
            }
        }
        catch (OperationCanceledException)
        {
            foreach (var (process, _, _) in started)
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            foreach (var (process, _, writer) in started)
            {
                process.WaitForExit();
                lock (writer) writer.Dispose();
                process.Dispose();
            }
        }
        int failed = Array.FindIndex(exitCodes, code => code != 0);
        if (failed >= 0)
        {
            string log = started[failed].Log;
            string last = File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0) ?? "(no output)";
            throw new AntidoteException($"sweep job {failed} failed: {last} (its log: {log})");
        }
    }

    /// <summary>The command line of job <paramref name="index"/>: the parent's, without --jobs, --shard and --threads (in either
    /// the "--name value" or "--name=value" form), then its own shard and threads, and one job.</summary>
    internal static List<string> ChildArguments(IReadOnlyList<string> arguments, int index, int jobs, int threads)
    {
        string[] owned = ["--jobs", "--shard", "--threads"];
        var kept = new List<string>();
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (owned.Contains(argument))
            {
                i++; // its value
                continue;
            }
            if (owned.Any(name => argument.StartsWith(name + "=", StringComparison.Ordinal)))
                continue;
            kept.Add(argument);
        }
        // --jobs 1 explicitly: a grid file's `jobs:` would otherwise start jobs inside each job (flags override the file).
        kept.AddRange(["--shard", $"{index}/{jobs}", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--jobs", "1"]);
        return kept;
    }
}
