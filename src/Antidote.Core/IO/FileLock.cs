namespace Antidote.Core.IO;

/// <summary>
/// An exclusive lock on a file, held while the object lives and released by the operating system when the process dies
/// (an open with FileShare.None, which .NET takes as an advisory flock on Unix), so a killed holder never leaves it stuck.
/// Processes that share a folder (sweep shards) use it to do a piece of work once: the first trains, the others wait.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, waiting while another process holds it; <paramref name="waiting"/> is called once if it must wait.</summary>
    public static FileLock Acquire(string path, CancellationToken cancel, Action? waiting = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        bool told = false;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (e is not (DirectoryNotFoundException or PathTooLongException))
            {
                if (!told) waiting?.Invoke();
                told = true;
                cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
