namespace Antidote.Core.IO;

/// <summary>
/// The files under a folder, walked so that a hostile folder cannot make the walk endless or wander off: links to folders
/// below the root are not followed (a link to "." or to /proc would loop or leave the folder), every real file is listed
/// once however many links lead to it (so an image cannot be both trained on and held out), and a file that matches but
/// is not a regular file (a FIFO, a device) is refused by name rather than opened.
/// </summary>
public static class FolderWalk
{
    /// <summary>The files under <paramref name="root"/> whose name <paramref name="wanted"/> accepts, in ordinal order of their paths.</summary>
    public static IReadOnlyList<string> Files(string root, Func<string, bool> wanted)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var folders = new Stack<string>([root]);
        while (folders.Count > 0)
        {
            string folder = folders.Pop();
            FileSystemInfo[] entries;
            try
            {
                entries = new DirectoryInfo(folder).GetFileSystemInfos();
            }
            catch (DirectoryNotFoundException) when (folder != root)
            {
                continue; // removed while the walk ran
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new AntidoteException($"cannot read folder {Printable.Quote(folder)} ({e.Message})");
            }
            // A fixed order (real files before links, then by name) decides which path names a file reached twice.
            var ordered = entries.OrderBy(e => e.LinkTarget is not null).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
            foreach (var sub in ordered.Where(e => e is DirectoryInfo && e.LinkTarget is null).Reverse())
                folders.Push(sub.FullName);
            foreach (var entry in ordered)
            {
                bool link = entry.LinkTarget is not null;
                if (entry is DirectoryInfo) continue;
                if (!wanted(entry.Name)) continue;
                if (!RegularFile.IsRegular(entry.FullName))
                {
                    if (link && !File.Exists(entry.FullName)) continue; // a dangling link or a link to a folder: nothing to read
                    RegularFile.Check(entry.FullName, "file");
                }
                string real = link ? entry.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? entry.FullName : entry.FullName;
                if (seen.Add(real)) files.Add(entry.FullName);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
