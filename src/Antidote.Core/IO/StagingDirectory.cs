namespace Antidote.Core.IO;

/// <summary>
/// A run folder built under a hidden temporary name and renamed into place by <see cref="Commit"/>; disposing
/// an uncommitted one deletes it, so a failed or cancelled run leaves nothing half-written behind.
/// </summary>
public sealed class StagingDirectory : IDisposable
{
    private bool _committed;

    public StagingDirectory(string finalPath, bool replaceExisting)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (Directory.Exists(FinalPath) && !replaceExisting)
            throw new AntidoteException($"run folder {FinalPath} already exists; pass --force to replace it or --name to pick another");
        string parent = Path.GetDirectoryName(FinalPath)!;
        Directory.CreateDirectory(parent);
        Root = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(FinalPath)}.tmp-{Guid.NewGuid():N}");
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
}
