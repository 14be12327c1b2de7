using System.Diagnostics;
using Antidote.Cli.Commands;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Cli;

public class SweepJobsTests
{
    [Fact]
    public void Each_job_gets_the_parents_command_line_with_its_own_shard_and_threads()
    {
        string[] parent = ["sweep", "--jobs", "2", "--threads=4", "--attacks", "badnets", "--shard", "1/3", "--out", "runs/x"];
        Assert.Equal(["sweep", "--attacks", "badnets", "--out", "runs/x", "--shard", "1/2", "--threads", "2", "--jobs", "1"],
            SweepJobs.ChildArguments(parent, 1, 2, 2));
    }

    [Fact]
    public async Task Two_jobs_share_the_grid_without_running_a_cell_twice_and_the_table_has_every_cell()
    {
        using var temp = new TempDirectory();
        string data = temp.File("mnist"), runs = temp.File("runs");
        DatasetFiles.WriteMnistFolder(data, train: 64, test: 16);
        string dll = Path.Combine(AppContext.BaseDirectory, "antidote.dll");
        // The jobs come from the grid file: each job must not start jobs of its own.
        File.WriteAllText(temp.File("grid.yaml"), $"""
            dataset: mnist
            data: {data}
            models: [small-cnn+width=2]
            attacks: [badnets]
            variants: [ft+epochs=1]
            seeds: [0, 1, 2]
            attack-epochs: 1
            clean-ratios: [0.25]
            jobs: 2
            """);
        var start = new ProcessStartInfo("dotnet", [dll, "sweep", temp.File("grid.yaml"), "--threads", "2", "--out", runs])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var reading = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        string output = await reading;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error + output);

        string job0 = File.ReadAllText(Path.Combine(runs, "jobs", "job-0.log")), job1 = File.ReadAllText(Path.Combine(runs, "jobs", "job-1.log"));
        // Shard 0 owns cells 0 and 2, shard 1 cell 1; the backdoored model is trained by one job only.
        Assert.Contains("sweep: 2 defense runs (shard 0/2)", job0);
        Assert.Contains("sweep: 1 defense runs (shard 1/2)", job1);
        Assert.Equal(1, new[] { job0, job1 }.Count(log => log.Contains("sweep: training badnets")));
        Assert.Contains("3 done before", output);
        string table = File.ReadAllText(Path.Combine(runs, "sweep.md"));
        Assert.True(table.Contains("| small-cnn+width=2 | badnets |") && table.Contains("| ft+epochs=1 | 3 |"), table); // one row, its 3 seeds
    }
}
