using System.Globalization;
using System.Text.RegularExpressions;

namespace Antidote.Core.IO;

/// <summary>
/// A run folder built under a hidden temporary name and renamed into place by <see cref="Commit"/>; disposing
/// an uncommitted one deletes it, so a failed or cancelled run leaves nothing half-written behind. The temporary
/// name carries the process id: a folder left by a process that was killed outright (SIGKILL, power loss) is
/// removed by the next run that stages in the same parent.
/// </summary>
public sealed partial class StagingDirectory : IDisposable
{
    private bool _committed;

    public StagingDirectory(string finalPath, bool replaceExisting)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (System.IO.File.Exists(FinalPath))
            throw new AntidoteException($"{FinalPath} is a file, not a run folder; choose another --out or --name");
        if (Directory.Exists(FinalPath) && !replaceExisting)
            throw new AntidoteException($"run folder {FinalPath} already exists; pass --force to replace it or --name to pick another");
        string parent = Path.GetDirectoryName(FinalPath)!;
        try
        {
            Directory.CreateDirectory(parent);
        }
        catch (IOException e)
        {
            throw new AntidoteException($"cannot create the output folder {parent} ({e.Message.TrimEnd('.')}); is part of the path a file?", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AntidoteException($"cannot create the output folder {parent} ({e.Message.TrimEnd('.')})", e);
        }
        RemoveAbandoned(parent);
        Root = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(FinalPath)}.tmp-{Host}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    /// <summary>Where files are written until the commit.</summary>
    public string Root { get; }

    public string FinalPath { get; }

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public void Commit()
    {
        if (Directory.Exists(FinalPath))
        {
            string old = FinalPath + $".old-{Guid.NewGuid():N}";
            Directory.Move(FinalPath, old);
            Directory.Move(Root, FinalPath);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(Root, FinalPath);
        }
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    /// <summary>This machine's name as staging folders carry it: sweep shards on several nodes share one folder, and a
    /// process id means something only on the node that owns it.</summary>
    private static readonly string Host = HostUnsafe().Replace(Environment.MachineName, "_");

    /// <summary>Deletes staging folders in <paramref name="parent"/> whose process (on this machine) no longer runs.</summary>
    public static void RemoveAbandoned(string parent)
    {
        foreach (string folder in Directory.EnumerateDirectories(parent, ".*.tmp-*"))
        {
            var match = StagingName().Match(System.IO.Path.GetFileName(folder));
            if (!match.Success || (match.Groups["host"].Success && match.Groups["host"].Value != Host)
                || IsRunning(int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture)))
                continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { } // another run is cleaning it up at the same moment
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // Folders from before the host was part of the name have none; they count as this machine's.
    [GeneratedRegex(@"^\..+\.tmp-(?:(?<host>[A-Za-z0-9._]+)-)?(?<pid>\d{1,9})-[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex StagingName();

    [GeneratedRegex("[^A-Za-z0-9.]", RegexOptions.CultureInvariant)]
    private static partial Regex HostUnsafe();
}
