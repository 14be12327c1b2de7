namespace Antidote.Models.Checkpoints;

/// <summary>
/// A weight-file format: reads a file into named tensors and writes them back. Readers treat the file as untrusted
/// (every header number is checked against the file's size before anything is allocated) and fail with
/// <see cref="Antidote.Core.AntidoteException"/>; whether the tensors fit a model is <see cref="ModelCheckpoint"/>'s job.
/// </summary>
public interface IWeightFormat
{
    string Name { get; }

    /// <summary>Whether the file's first bytes look like this format (<paramref name="head"/>: up to 16 bytes).</summary>
    bool Recognises(ReadOnlySpan<byte> head);

    IReadOnlyDictionary<string, WeightTensor> Read(string path);

    /// <summary>Writes atomically (temporary file, then rename).</summary>
    void Write(string path, IReadOnlyDictionary<string, WeightTensor> tensors);
}
