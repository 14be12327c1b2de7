using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Models.Checkpoints;
using static TorchSharp.torch;

namespace Antidote.Attacks.Recorded;

/// <summary>Where a recorded trigger came from.</summary>
public sealed record RecordedOptions(
    [Description("The record the triggered test images came from, and its attack's name there (for example \"backdoorbench:blended\")")]
    string Origin = "") : IAttackOptions
{
    public void Validate() { }
}

/// <summary>
/// An attack known only by the triggered test images another tool recorded (a BackdoorBench record's bd_test): no trigger
/// function, so it cannot be planted, but every triggered test image the record holds is served as recorded, so `eval`,
/// `defend` and reports measure ASR and RA on exactly the images the record's own numbers came from. The images live in
/// the run folder (<see cref="ImagesFile"/>), written by `antidote import`.
/// </summary>
public sealed class RecordedAttack(AttackRequest request, RecordedOptions options) : IAttack
{
    /// <summary>The triggered test images (uint8 [N, C, H, W], key "images") and their test-set rows (int64 [N], key "rows").</summary>
    public const string ImagesFile = "recorded-test.safetensors";

    private Tensor? _images;
    private Dictionary<int, int> _position = [];

    public string Name => "recorded";

    public LabelPolicy Labels { get; } = request.Labels;

    public bool CleanLabel => false;

    public string Origin => options.Origin;

    /// <summary>Keeps <paramref name="images"/> (uint8 [N, C, H, W]) as the triggered copies of test rows <paramref name="rows"/>.</summary>
    public void Record(Tensor images, int[] rows)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || images.shape[0] != rows.Length)
            throw new ArgumentException("recorded images are uint8 [N, C, H, W], one per row");
        if (images.shape[1] != request.Dataset.Channels || images.shape[2] != request.Dataset.Height || images.shape[3] != request.Dataset.Width)
            throw new AntidoteException($"recorded: the triggered images are {images.shape[1]}x{images.shape[2]}x{images.shape[3]}, " +
                                        $"the dataset's are {request.Dataset.Channels}x{request.Dataset.Height}x{request.Dataset.Width}");
        if (rows.Distinct().Count() != rows.Length || rows.Any(r => r < 0))
            throw new AntidoteException("recorded: a test row is recorded twice, or negative");
        _images?.Dispose();
        _images = images.detach().clone().DetachFromDisposeScope();
        _position = rows.Select((row, i) => (row, i)).ToDictionary(p => p.row, p => p.i);
    }

    public void Prepare(AttackPreparation context) =>
        throw new AntidoteException($"recorded: this attack ({Printable.Escape(Origin)}) is known only by its recorded triggered test images; it cannot be planted");

    public void SaveArtifacts(string runFolder)
    {
        var images = _images ?? throw new InvalidOperationException("recorded: no images recorded");
        var rows = _position.OrderBy(p => p.Value).Select(p => (long)p.Key).ToArray();
        new SafetensorsFormat().Write(Path.Combine(runFolder, ImagesFile), new Dictionary<string, WeightTensor>
        {
            ["images"] = new(ScalarType.Byte, images.shape, images.contiguous().bytes.ToArray()),
            ["rows"] = new(ScalarType.Int64, [rows.Length], rows.SelectMany(BitConverter.GetBytes).ToArray()),
        });
    }

    public void LoadArtifacts(string runFolder)
    {
        string path = Path.Combine(runFolder, ImagesFile);
        var file = new SafetensorsFormat().Read(path);
        if (!file.TryGetValue("images", out var images) || !file.TryGetValue("rows", out var rows)
            || images.Type != ScalarType.Byte || images.Shape.Length != 4 || rows.Type != ScalarType.Int64 || rows.Shape.Length != 1 || rows.Shape[0] != images.Shape[0])
            throw new AntidoteException($"{path}: not recorded triggered images (uint8 images [N, C, H, W] and int64 rows [N])");
        var rowValues = Enumerable.Range(0, (int)rows.Shape[0]).Select(i => BitConverter.ToInt64(rows.Data, 8 * i)).ToArray();
        if (rowValues.Any(r => r is < 0 or > int.MaxValue))
            throw new AntidoteException($"{path}: a recorded test row is out of range");
        using var scope = NewDisposeScope();
        var tensor = empty(images.Shape, ScalarType.Byte);
        tensor.bytes = images.Data;
        Record(tensor, rowValues.Select(r => (int)r).ToArray());
    }

    /// <summary>The recorded triggered images of test <paramref name="rows"/> in [0, 1]; training rows and rows the record
    /// does not hold are refused.</summary>
    public Tensor Poison(Tensor images, PoisonRole role, DataSplit split, int[] rows)
    {
        if (role != PoisonRole.Poisoned || split != DataSplit.Test)
            throw new AntidoteException($"recorded: this attack ({Printable.Escape(Origin)}) holds triggered test images only");
        var recorded = _images ?? throw new InvalidOperationException("recorded: load the run folder's images first");
        var missing = rows.Where(r => !_position.ContainsKey(r)).ToList();
        if (missing.Count > 0)
            throw new AntidoteException($"recorded: the record holds no triggered image of test row {missing[0]} " +
                                        $"({missing.Count} of {rows.Length} rows missing); the record and the test set do not match");
        var index = tensor(rows.Select(r => (long)_position[r]).ToArray(), ScalarType.Int64);
        return recorded.index_select(0, index).to(images.device).to_type(ScalarType.Float32).div_(255f);
    }

    public Tensor ApplyTrigger(Tensor images) =>
        throw new AntidoteException($"recorded: this attack ({Printable.Escape(Origin)}) has no trigger to apply to new images, only its recorded triggered test images");

    public void Dispose() => _images?.Dispose();
}
