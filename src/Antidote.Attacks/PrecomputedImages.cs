using Antidote.Core;
using Antidote.Data;
using Antidote.Data.Npy;
using Antidote.Models.Checkpoints;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// Poisoned images another tool computed for every row of a split, image i from the split's row i: how BackdoorBench ships
/// SSBA's encoded images (resource/ssba/utils/pack_images.py) and LC's adversarial ones (craft_adv_dataset.py), as uint8
/// .npy arrays of shape (N, H, W, C), or (N, H, W) for one channel. Held as uint8 [N, C, H, W] and served by row.
/// </summary>
public sealed class PrecomputedImages : IDisposable
{
    private const string Key = "images";

    private readonly Tensor _images;
    private readonly string _source;

    private PrecomputedImages(Tensor images, string source)
    {
        _images = images;
        _source = source;
    }

    public int Count => (int)_images.shape[0];

    /// <summary>A BackdoorBench image file; with <paramref name="rows"/>, one that must hold exactly that many images.</summary>
    public static PrecomputedImages ReadNpy(string path, DatasetInfo dataset, int? rows = null, string split = "training")
    {
        var (shape, data) = NpyFile.ReadBytes(path);
        long[] nhwc = shape.Length == 3 ? [.. shape, 1] : shape;
        if (nhwc.Length != 4 || nhwc[1] != dataset.Height || nhwc[2] != dataset.Width || nhwc[3] != dataset.Channels)
            throw new AntidoteException($"{path}: images of shape ({string.Join(", ", shape)}) do not fit {dataset.Name}'s " +
                                        $"{dataset.Height}x{dataset.Width}x{dataset.Channels} images (expected uint8 (N, H, W, C))");
        if (rows is int expected && nhwc[0] != expected)
            throw new AntidoteException($"{path}: {nhwc[0]} images, but the {split} set has {expected} rows; the file holds one image per row, in the set's order");
        using var scope = NewDisposeScope();
        var hwc = empty(nhwc, ScalarType.Byte);
        hwc.bytes = data;
        return new PrecomputedImages(hwc.permute(0, 3, 1, 2).contiguous().DetachFromDisposeScope(), path);
    }

    /// <summary>The images of <paramref name="rows"/> in [0, 1] on <paramref name="device"/>; a row the file does not hold is one clear error.</summary>
    public Tensor Select(int[] rows, Device device)
    {
        foreach (int row in rows)
            if (row < 0 || row >= Count)
                throw new AntidoteException($"{_source}: holds {Count} images and row {row} was asked for; the file and the data set do not match");
        using var index = tensor(rows.Select(r => (long)r).ToArray(), ScalarType.Int64);
        return _images.index_select(0, index).to(device).to_type(ScalarType.Float32).div_(255f);
    }

    /// <summary>Keeps the images in a run folder (safetensors, uint8 [N, C, H, W]).</summary>
    public void Write(string path) =>
        new SafetensorsFormat().Write(path, new Dictionary<string, WeightTensor> { [Key] = new(ScalarType.Byte, _images.shape, _images.bytes.ToArray()) });

    /// <summary>Images kept by <see cref="Write"/>; a missing file or images of another size is one clear error.</summary>
    public static PrecomputedImages Read(string path, DatasetInfo dataset, string attack)
    {
        if (!File.Exists(path))
            throw new AntidoteException($"{path}: the {attack} run has no {Path.GetFileName(path)}");
        var file = new SafetensorsFormat().Read(path);
        if (!file.TryGetValue(Key, out var stored) || stored.Type != ScalarType.Byte || stored.Shape.Length != 4
            || stored.Shape[1] != dataset.Channels || stored.Shape[2] != dataset.Height || stored.Shape[3] != dataset.Width)
            throw new AntidoteException($"{path}: not {attack} images of {dataset.Channels}x{dataset.Height}x{dataset.Width} (uint8 tensor '{Key}' [N, C, H, W])");
        using var scope = NewDisposeScope();
        var images = empty(stored.Shape, ScalarType.Byte);
        images.bytes = stored.Data;
        return new PrecomputedImages(images.DetachFromDisposeScope(), path);
    }

    public void Dispose() => _images.Dispose();
}
