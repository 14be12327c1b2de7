namespace Antidote.Data;

/// <summary>A dataset's training and test parts, with its facts.</summary>
public sealed class DatasetSplit(DatasetInfo info, ImageDataset train, ImageDataset test) : IDisposable
{
    public DatasetInfo Info { get; } = info;

    public ImageDataset Train { get; } = train;

    public ImageDataset Test { get; } = test;

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
