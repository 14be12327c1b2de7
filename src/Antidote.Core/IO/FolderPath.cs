namespace Antidote.Core.IO;

/// <summary>Whether a path lies in a folder, compared as full paths at separator boundaries ("/a/bc" is not inside "/a/b").</summary>
public static class FolderPath
{
    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> itself or anything below it.</summary>
    public static bool IsInside(string path, string folder)
    {
        char separator = Path.DirectorySeparatorChar;
        return (Path.GetFullPath(path).TrimEnd(separator) + separator).StartsWith(Path.GetFullPath(folder).TrimEnd(separator) + separator, StringComparison.Ordinal);
    }
}
