using Antidote.Core;

namespace Antidote.Experiments.Sweeps;

/// <summary>
/// One of <see cref="Count"/> slices of a sweep's defense runs: run k (in the sweep's fixed order) belongs to shard
/// k mod Count, so N processes given 0..N-1 cover the grid once whatever machine each runs on.
/// </summary>
public sealed record SweepShard(int Index, int Count)
{
    public static readonly SweepShard Whole = new(0, 1);

    public bool Owns(int runIndex) => runIndex % Count == Index;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>The shard the scheduler gave this process: Slurm job arrays (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, and
    /// SLURM_ARRAY_TASK_MIN where the array does not start at 0) or Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX with the
    /// completions count, which the Job passes as ANTIDOTE_SHARD_COUNT since Kubernetes does not set it); null when neither.</summary>
    public static SweepShard? FromEnvironment(Func<string, string?> variable)
    {
        if (variable("SLURM_ARRAY_TASK_ID") is string slurmId)
        {
            int id = Parse("SLURM_ARRAY_TASK_ID", slurmId);
            int min = variable("SLURM_ARRAY_TASK_MIN") is string m ? Parse("SLURM_ARRAY_TASK_MIN", m) : 0;
            string count = variable("SLURM_ARRAY_TASK_COUNT") ?? throw new AntidoteException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
            return Checked(id - min, Parse("SLURM_ARRAY_TASK_COUNT", count), "the Slurm array");
        }
        if (variable("JOB_COMPLETION_INDEX") is string k8sIndex)
        {
            string count = variable("ANTIDOTE_SHARD_COUNT")
                           ?? throw new AntidoteException("JOB_COMPLETION_INDEX is set but ANTIDOTE_SHARD_COUNT is not (set it to the Job's completions)");
            return Checked(Parse("JOB_COMPLETION_INDEX", k8sIndex), Parse("ANTIDOTE_SHARD_COUNT", count), "the Indexed Job");
        }
        return null;
    }

    /// <summary>"I/N" as --shard takes it.</summary>
    public static SweepShard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count))
            throw new AntidoteException($"--shard: '{text}' is not I/N (e.g. 0/4)");
        return Checked(index, count, "--shard");
    }

    private static SweepShard Checked(int index, int count, string where) =>
        count >= 1 && index >= 0 && index < count
            ? new SweepShard(index, count)
            : throw new AntidoteException($"{where}: shard {index} of {count} does not exist (0 <= I < N, N >= 1)");

    private static int Parse(string name, string text) =>
        int.TryParse(text, out int value) ? value : throw new AntidoteException($"{name}: '{text}' is not an integer");
}
