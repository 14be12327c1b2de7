using Antidote.Core;
using Antidote.Core.Registries;
using Antidote.Data.Cifar10;
using Antidote.Data.Cifar100;
using Antidote.Data.FashionMnist;
using Antidote.Data.ImageFolder;
using Antidote.Data.Mnist;

namespace Antidote.Data;

/// <summary>The datasets Antidote reads, by name, and where it looks for their files.</summary>
public static class DatasetCatalog
{
    public const string DataEnvironmentVariable = "ANTIDOTE_DATA";

    public static Registry<IDatasetSource> Default { get; } = new Registry<IDatasetSource>("dataset")
        .Register(new FashionMnistSource())
        .Register(new MnistSource())
        .Register(new Cifar10Source())
        .Register(new Cifar100Source())
        .Register(new ImageFolderSource());

    /// <summary>
    /// The folder holding <paramref name="source"/>'s files: <paramref name="dataDirectory"/> (or its
    /// sub-folder named after the dataset), else $ANTIDOTE_DATA likewise, else the system package's folder.
    /// </summary>
    public static string Locate(IDatasetSource source, string? dataDirectory)
    {
        var candidates = new List<string>();
        string? root = dataDirectory ?? Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        if (!string.IsNullOrEmpty(root))
        {
            candidates.Add(root);
            candidates.Add(Path.Combine(root, source.FolderName));
        }
        else if (source.SystemDirectory is not null)
        {
            candidates.Add(source.SystemDirectory);
        }
        foreach (string dir in candidates)
            if (Directory.Exists(dir) && source.IsPresentIn(dir))
                return dir;
        string where = candidates.Count == 0 ? "(no folder: pass --data DIR or set ANTIDOTE_DATA)" : string.Join(", ", candidates);
        throw new AntidoteException($"{source.Name}: {source.ExpectedFiles} not found in {where}; {source.InstallHint}");
    }

    public static DatasetSplit Load(IDatasetSource source, string? dataDirectory) => source.Load(Locate(source, dataDirectory));
}
