using System.Runtime.InteropServices;

namespace Antidote.Core.IO;

/// <summary>
/// Opening a FIFO blocks until someone writes to it, and a device or socket is no weights file or image: every reader
/// asks here first, so that only regular files (or links to them) are opened, and anything else is refused by name.
/// </summary>
public static class RegularFile
{
    /// <summary>Throws one line unless <paramref name="path"/> is a regular file (following links).</summary>
    public static void Check(string path, string what)
    {
        if (Directory.Exists(path))
            throw new AntidoteException($"{what} {Printable.Quote(path)} is a folder, not a file");
        if (!File.Exists(path))
            throw new AntidoteException($"{what} {Printable.Quote(path)} not found");
        if (KindOf(path) is string kind)
            throw new AntidoteException($"{what} {Printable.Quote(path)} is {kind}, not a regular file; refused (it could block or never end)");
    }

    /// <summary>Whether <paramref name="path"/> (following links) is a regular file; false for FIFOs, devices, sockets,
    /// folders and missing paths.</summary>
    public static bool IsRegular(string path) => File.Exists(path) && KindOf(path) is null;

    /// <summary>Null for a regular file, else what it is ("a FIFO", "a character device", ...).</summary>
    private static string? KindOf(string path)
    {
        int mode;
        try
        {
            // .NET's own native shim (libSystem.Native, shipped with every runtime): stat(2) with the file type in the
            // portable S_IF* values, the same on Linux and macOS. Only its first two fields (flags, mode) are read.
            if (Stat(path, out var status) != 0) return null; // vanished or unreadable: the open that follows says so
            mode = status.Mode;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // no shim (not expected on .NET 6+): the check is skipped rather than refusing every file
        }
        return (mode & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

    // The shim's FileStatus begins with (int Flags, int Mode); the rest (sizes, times, ids) is room the call may fill.
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project; this call marshals one UTF-8 string
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
#pragma warning restore SYSLIB1054
}
