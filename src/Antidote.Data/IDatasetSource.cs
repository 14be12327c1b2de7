using Antidote.Core.Registries;

namespace Antidote.Data;

/// <summary>One dataset that Antidote can read, found by name in <see cref="DatasetCatalog"/>.</summary>
public interface IDatasetSource : IRegistryEntry
{
    DatasetInfo Info { get; }

    /// <summary>The conventional sub-folder name under a data root (e.g. "cifar-10-batches-bin").</summary>
    string FolderName { get; }

    /// <summary>Where a system package puts the files, if one does.</summary>
    string? SystemDirectory { get; }

    /// <summary>The files that must be present, for the "not found" message.</summary>
    string ExpectedFiles { get; }

    /// <summary>How a user gets the files.</summary>
    string InstallHint { get; }

    bool IsPresentIn(string directory);

    /// <summary>Reads both parts; a missing or corrupt file throws <see cref="Antidote.Core.AntidoteException"/>.</summary>
    DatasetSplit Load(string directory);
}
