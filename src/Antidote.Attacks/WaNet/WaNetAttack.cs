using System.ComponentModel;
using System.Text.Json;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Attacks.WaNet;

/// <summary>WaNet's warping field and its cross rows (BackdoorBench config/attack/wanet/default.yaml).</summary>
public sealed record WaNetOptions(
    [Description("Control grid size k: the field is a k×k grid of random offsets upsampled to the image (BackdoorBench default.yaml L9: 4)")]
    int K = 4,
    [Description("Warping strength s: offsets of s/size of the image in normalised units (L8: 0.5; 0 leaves images unchanged)")]
    double S = 0.5,
    [Description("Grid rescale: the warped grid is multiplied by it (L10: 1)")]
    double GridRescale = 1,
    [Description("Cross rows per poisoned row in each batch: warped with extra random noise, keeping their label (L5: 2)")]
    double CrossRatio = 2) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.InRange(nameof(K), K, 2, 64);
        OptionCheck.NotNegative(nameof(S), S);
        OptionCheck.Positive(nameof(GridRescale), GridRescale);
        OptionCheck.NotNegative(nameof(CrossRatio), CrossRatio);
    }
}

/// <summary>
/// WaNet (Nguyen &amp; Tran, ICLR 2021): the trigger is a smooth, secret warp of the image. A 2×k×k grid of offsets drawn
/// uniformly in [−1, 1] and scaled to mean absolute value 1 is upsampled bicubically to the image; the sampling grid is
/// clamp((identity + s·offsets / size)·rescale, −1, 1), applied with bilinear grid sampling (BackdoorBench wanet.py). Poisoning
/// happens per batch while the model trains (<see cref="PerBatchPoisoning"/>): 10% of each batch warped and relabelled, twice
/// as many "cross" rows warped with extra per-pixel noise of up to 1/size keeping their label. The offsets are drawn from the
/// run's seed and kept in the run folder as wanet-grid.json; without them nobody, a defender included, can make the trigger.
/// </summary>
public sealed class WaNetAttack(AttackRequest request, WaNetOptions options) : IAttack
{
    /// <summary>The control offsets, in the attack's run folder.</summary>
    public const string GridFile = "wanet-grid.json";

    private Tensor? _grid;
    private float[]? _offsets;

    public string Name => "wanet";

    public LabelPolicy Labels { get; } = request.Labels;

    public bool CleanLabel => false;

    /// <summary>The sampling grid [1, H, W, 2] the trigger warps with.</summary>
    public Tensor Grid => _grid ?? throw new InvalidOperationException("wanet: the grid is drawn in Prepare or loaded with LoadArtifacts");

    public void Prepare(AttackPreparation context)
    {
        var random = Seeds.Stream(context.Seed, "wanet-grid");
        var offsets = new float[2 * options.K * options.K];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = (float)(random.NextDouble() * 2 - 1);
        // Scaled so that the mean absolute offset is 1 (wanet.py: ins / mean(|ins|)).
        float meanAbs = offsets.Average(Math.Abs);
        SetOffsets(offsets.Select(v => v / meanAbs).ToArray());
        context.Log.Info($"wanet: {options.K}x{options.K} warping grid drawn from the seed, s {options.S}, cross ratio {options.CrossRatio}");
    }

    public void SaveArtifacts(string runFolder) =>
        File.WriteAllText(Path.Combine(runFolder, GridFile), JsonSerializer.Serialize(new GridRecord(options.K, _offsets ?? [])));

    public void LoadArtifacts(string runFolder)
    {
        string path = Path.Combine(runFolder, GridFile);
        if (!File.Exists(path))
            throw new AntidoteException($"{runFolder}: the wanet run has no {GridFile}");
        GridRecord? record;
        try { record = JsonSerializer.Deserialize<GridRecord>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new AntidoteException($"{path}: not a WaNet grid ({e.Message})"); }
        if (record is null || record.K != options.K || record.Offsets is null || record.Offsets.Length != 2 * options.K * options.K
            || !record.Offsets.All(float.IsFinite))
            throw new AntidoteException($"{path}: expected {2 * options.K * options.K} finite offsets of a {options.K}x{options.K} grid");
        SetOffsets(record.Offsets);
    }

    public PoisonPlan Plan(int[] labels, AttackSettings settings, long seed) => PoisonPlan.ForBatches(this, settings, seed);

    public ITrainingObjective TrainingObjective(ImageDataset train) =>
        new PerBatchPoisoning(Labels, request.Settings.PoisonRatio, ApplyTrigger,
            new KeptLabelRows((poisoned, _) => (int)(poisoned * options.CrossRatio), Cross),
            PostTensorAugmentation.For(request.Dataset));

    public Tensor ApplyTrigger(Tensor images) => Warp(images, Grid.to(images.device).expand(images.shape[0], -1, -1, -1));

    /// <summary>Warped with the grid plus uniform noise of up to 1/size per pixel (libtorch's seeded generator).</summary>
    public Tensor Cross(Tensor images)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        var noise = (rand([n, h, w, 2], device: images.device) * 2 - 1) / Scale(h, w, images.device);
        return Warp(images, (Grid.to(images.device) + noise).clamp(-1, 1)).MoveToOuterDisposeScope();
    }

    public void Dispose() => _grid?.Dispose();

    private static Tensor Warp(Tensor images, Tensor grid) =>
        nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true).clamp(0, 1);

    /// <summary>Per grid coordinate (x, y), the image side it is divided by (wanet.py divides both by input_height, for square images).</summary>
    private static Tensor Scale(long h, long w, Device device) => tensor(new float[] { w, h }, device: device);

    private void SetOffsets(float[] offsets)
    {
        _offsets = offsets;
        using var scope = NewDisposeScope();
        int h = request.Dataset.Height, w = request.Dataset.Width;
        var controls = tensor(offsets, [1, 2, options.K, options.K]);
        var field = nn.functional.interpolate(controls, [h, w], mode: InterpolationMode.Bicubic, align_corners: true).permute(0, 2, 3, 1);
        var ys = linspace(-1, 1, h);
        var xs = linspace(-1, 1, w);
        var mesh = meshgrid([ys, xs], indexing: "ij");
        var identity = stack([mesh[1], mesh[0]], 2).unsqueeze(0);
        var grid = ((identity + field * (float)options.S / Scale(h, w, CPU)) * (float)options.GridRescale).clamp(-1, 1);
        _grid?.Dispose();
        _grid = grid.contiguous().DetachFromDisposeScope();
    }

    private sealed record GridRecord(int K, float[] Offsets);
}
