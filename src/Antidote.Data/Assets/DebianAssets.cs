using System.Diagnostics;
using Antidote.Core;

namespace Antidote.Data.Assets;

/// <summary>
/// Data that Antidote takes from Debian packages when it is missing: Fashion-MNIST (installed as root) and the blend
/// trigger photograph (extracted from the package without installing it, so no root and no Python are needed).
/// </summary>
public static class DebianAssets
{
    /// <summary>scikit-image's sample photograph of astronaut Eileen Collins (NASA; "no known copyright restrictions,
    /// released into the public domain", skimage.data.astronaut), shipped by the Debian package python3-skimage.</summary>
    public const string PhotoPackage = "python3-skimage";

    private const string PhotoInPackage = "./usr/lib/python3/dist-packages/skimage/data/astronaut.png";

    /// <summary>Where the photograph is cached once extracted: $XDG_CACHE_HOME/antidote, else ~/.cache/antidote.</summary>
    public static string PhotoCachePath
    {
        get
        {
            string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "antidote", "astronaut.png");
        }
    }

    /// <summary>The blend trigger photograph's path: the installed package's file, the cached copy, or a fresh extraction.</summary>
    public static string EnsureTriggerPhoto()
    {
        string installed = PhotoInPackage[1..];
        if (File.Exists(installed)) return installed;
        string cached = PhotoCachePath;
        if (File.Exists(cached)) return cached;
        if (!File.Exists("/usr/bin/apt-get") || !File.Exists("/usr/bin/dpkg-deb"))
            throw new AntidoteException($"the default blend trigger (astronaut.png of Debian's {PhotoPackage}) is missing and this system has no apt-get; " +
                                        "pass --trigger-image PNG or --blend-trigger noise");
        Console.Error.WriteLine($"antidote: extracting the blend trigger photograph from the Debian package {PhotoPackage} into {cached} ...");
        string work = Directory.CreateTempSubdirectory("antidote-photo-").FullName;
        try
        {
            Run("apt-get", $"download -qq {PhotoPackage}", work);
            string deb = Directory.GetFiles(work, "*.deb").SingleOrDefault()
                         ?? throw new AntidoteException($"apt-get download {PhotoPackage} left no package file");
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            // Extract to a temporary name beside the cache and rename, so an interrupted extraction leaves nothing.
            string partial = cached + $".{Environment.ProcessId}.tmp";
            Run("/bin/sh", $"-c \"dpkg-deb --fsys-tarfile '{deb}' | tar -xO '{PhotoInPackage}' > '{partial}'\"", work);
            File.Move(partial, cached, overwrite: true);
            return cached;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Installs the Debian package when Fashion-MNIST is missing and we may (root, no --data); else says how.</summary>
    public static void EnsureFashionMnist(string? dataDirectory)
    {
        var source = DatasetCatalog.Default.Get("fashion-mnist");
        try
        {
            DatasetCatalog.Locate(source, dataDirectory);
            return;
        }
        catch (AntidoteException) when (dataDirectory is null && Environment.GetEnvironmentVariable(DatasetCatalog.DataEnvironmentVariable) is null
                                        && OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Console.WriteLine("Fashion-MNIST is missing; installing the Debian package dataset-fashion-mnist ...");
            foreach (string args in new[] { "update -qq", "install -y -qq dataset-fashion-mnist" })
                Run("apt-get", args, workingDirectory: null, hint: source.InstallHint);
        }
        DatasetCatalog.Locate(source, dataDirectory);
    }

    private static void Run(string program, string arguments, string? workingDirectory, string? hint = null)
    {
        var start = new ProcessStartInfo(program, arguments) { UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new AntidoteException($"{program} {arguments} failed (exit {process.ExitCode}){(hint is null ? "" : "; " + hint)}");
    }
}
