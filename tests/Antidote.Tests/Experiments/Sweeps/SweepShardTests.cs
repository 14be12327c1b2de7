using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Experiments.Results;
using Antidote.Experiments.Sweeps;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Sweeps;

public class SweepShardTests
{
    [Fact]
    public void The_scheduler_names_the_shard_and_bad_slices_are_refused()
    {
        Assert.Null(SweepShard.FromEnvironment(_ => null));
        var slurm = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_MIN"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "4" };
        Assert.Equal(new SweepShard(2, 4), SweepShard.FromEnvironment(slurm.GetValueOrDefault));
        var k8s = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1", ["ANTIDOTE_SHARD_COUNT"] = "3" };
        Assert.Equal(new SweepShard(1, 3), SweepShard.FromEnvironment(k8s.GetValueOrDefault));
        Assert.Throws<AntidoteException>(() => SweepShard.FromEnvironment(new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" }.GetValueOrDefault));
        Assert.Equal(new SweepShard(1, 2), SweepShard.Parse("1/2"));
        foreach (string bad in new[] { "2/2", "-1/2", "0/0", "1", "a/b" })
            Assert.Throws<AntidoteException>(() => SweepShard.Parse(bad));
    }

    [Fact]
    public void Shards_cover_every_run_once()
    {
        var owned = Enumerable.Range(0, 17).Select(i => Enumerable.Range(0, 3).Count(s => new SweepShard(s, 3).Owns(i))).ToList();
        Assert.All(owned, n => Assert.Equal(1, n));
    }

    /// <summary>The done-when of the scale-out work, small: two shards as separate processes on one folder and one SQLite
    /// file, at the same time, end with every cell once, the backdoored model trained once, and the numbers of one
    /// unsharded run.</summary>
    [Fact]
    public void Two_shard_processes_on_one_store_give_the_table_of_one_unsharded_run()
    {
        using var temp = new TempDirectory();
        DatasetFiles.WriteMnistFolder(temp.File("mnist"), train: 80, test: 20);
        string Grid(string folder) => $"""
            dataset: mnist
            data: {temp.File("mnist")}
            out: {temp.File(folder)}
            models: [small-cnn+width=4+hidden=16]
            attacks: [badnets+target=1]
            attack-epochs: 1
            variants: [ft+epochs=1+batch-size=16, d3+epochs=1+min-steps=0+batch-size=16+survival-check=false]
            seeds: [0, 1]
            clean-ratios: [0.2]
            threads: 1
            """;
        File.WriteAllText(temp.File("whole.yaml"), Grid("whole"));
        File.WriteAllText(temp.File("sharded.yaml"), Grid("sharded"));

        var whole = ConsoleCapture.Run("sweep", temp.File("whole.yaml"));
        Assert.True(whole.Exit == 0, whole.Err);
        var shards = Enumerable.Range(0, 2).Select(i => Cli("sweep", temp.File("sharded.yaml"), "--shard", $"{i}/2")).ToList();
        foreach (var shard in shards)
        {
            Assert.True(shard.WaitForExit(TimeSpan.FromMinutes(5)), "a shard did not finish");
            Assert.True(shard.ExitCode == 0, shard.StandardError.ReadToEnd());
        }

        var expected = Table(temp.File("whole"));
        var sharded = Table(temp.File("sharded"));
        Assert.Equal(5, sharded.Count); // the attack run and 2 variants × 2 seeds
        Assert.Equal(expected, sharded);
        string attackRun = Assert.Single(Directory.GetDirectories(temp.File("sharded")), d => !Path.GetFileName(d).Contains("--", StringComparison.Ordinal));
        Assert.Equal(1, Antidote.Experiments.Runs.RunJson.Read<Antidote.Experiments.Runs.AttackRunConfig>(Path.Combine(attackRun, "config.json")).Settings.Target);
    }

    private static List<string> Table(string folder)
    {
        using var store = ResultStore.Open(null, folder);
        return store.Runs().Select(r => $"{r.Folder} {r.Accuracy:R} {r.Asr:R} {r.Der:R}").ToList();
    }

    private static Process Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "antidote.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }
}
