using System.ComponentModel;
using System.Diagnostics;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Data;
using Antidote.Data.Batching;
using Antidote.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Attacks.Ssba;

/// <summary>SSBA's encoder/decoder sizes and training.</summary>
public sealed record SsbaOptions(
    [Description("Bits of the code written into every poisoned image (BackdoorBench's resource/ssba example: fingerprint_length 100; fewer here for a CPU)")]
    int Bits = 32,
    [Description("Channels of the encoder's and decoder's first convolutions (BackdoorBench's networks start at 32; 8 here for a CPU)")]
    int Width = 8,
    [Description("Epochs the encoder and decoder train on their images (BackdoorBench's example: 20, at 128x128)")]
    int Epochs = 12,
    [Description("Batch size of that training (train.py: 64)")]
    int BatchSize = 64,
    [Description("Adam learning rate (train.py: 0.0001; with BackdoorBench's sizes, 100 bits and width 32, nothing was learnt in 100 steps at that rate here)")]
    double LearningRate = 1e-3,
    [Description("Weight of the image loss (MSE between encoded and clean images) once it is fully on (l2_loss_weight: 10)")]
    double ImageLossWeight = 10,
    [Description("Steps without the image loss after the decoder first reads 90% of the bits (l2_loss_await: 1000, over far more steps)")]
    int ImageLossAwait = 200,
    [Description("Steps over which the image loss weight then rises linearly to its full value (l2_loss_ramp: 3000)")]
    int ImageLossRamp = 400,
    [Description("Training images the networks learn on, drawn with the seed (0 = the whole training set)")]
    int MaxImages = 6400,
    [Description("BackdoorBench's encoded training images instead of an encoder trained here (resource/ssba/{dataset}_ssba_train_b1.npy: uint8 (N, H, W, C), image i encoded from training row i); with --ssba-test-file")]
    string? TrainFile = null,
    [Description("BackdoorBench's encoded test images (resource/ssba/{dataset}_ssba_test_b1.npy), image i from test row i; with --ssba-train-file")]
    string? TestFile = null) : IAttackOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(Bits), Bits);
        if (Bits > 4096) OptionCheck.Fail(nameof(Bits), "must be at most 4096");
        OptionCheck.Positive(nameof(Width), Width);
        if (Width > 512) OptionCheck.Fail(nameof(Width), "must be at most 512");
        OptionCheck.NotNegative(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.NotNegative(nameof(ImageLossWeight), ImageLossWeight);
        OptionCheck.NotNegative(nameof(ImageLossAwait), ImageLossAwait);
        OptionCheck.Positive(nameof(ImageLossRamp), ImageLossRamp);
        OptionCheck.NotNegative(nameof(MaxImages), MaxImages);
        OptionCheck.NotEmpty(nameof(TrainFile), TrainFile);
        OptionCheck.NotEmpty(nameof(TestFile), TestFile);
        if ((TrainFile is null) != (TestFile is null))
            OptionCheck.Fail(TrainFile is null ? nameof(TrainFile) : nameof(TestFile), "is needed too: encoded images replace the encoder for both the training and the test set");
    }

}

/// <summary>
/// SSBA, sample-specific invisible backdoor (Li et al. 2021; BackdoorBench ssba): a StegaStamp encoder writes one fixed code
/// into every poisoned image, so each image gets its own invisible residual. BackdoorBench reads images encoded elsewhere
/// (resource/ssba: train.py, then embed_fingerprints.py with identical fingerprints, seed 0); Antidote trains the encoder and
/// its decoder here on the clean training set, as train.py does: random codes per image, binary cross-entropy on the decoded
/// bits, and the image loss switched on once the decoder reads 90% of the bits, after an await, then ramped. The code is
/// drawn from the seed; BackdoorBench BCH-encodes a string into its 100 bits, which only matters for reading the code back.
/// Poisoned images are relabelled (all-to-one by default). With <c>TrainFile</c> and <c>TestFile</c> the attack serves the
/// images BackdoorBench's pipeline encoded instead, row by row as ssba.py does, and keeps the test images in the run folder.
/// </summary>
public sealed class SsbaAttack : IAttack
{
    public const string EncoderFile = "ssba-encoder.weights";
    public const string DecoderFile = "ssba-decoder.weights";
    public const string CodeFile = "ssba-code.safetensors";
    public const string TestImagesFile = "ssba-test-images.safetensors";

    private readonly SsbaOptions _options;
    private readonly DatasetInfo _dataset;
    private StegaStampEncoder? _encoder;
    private StegaStampDecoder? _decoder;
    private Tensor? _code;
    private PrecomputedImages? _trainImages;
    private PrecomputedImages? _testImages;
    private Device _device = CPU;

    public SsbaAttack(AttackRequest request, SsbaOptions options)
    {
        Labels = request.Labels;
        _options = options;
        _dataset = request.Dataset;
    }

    public string Name => "ssba";

    /// <summary>True when BackdoorBench's encoded images are read instead of an encoder trained here.</summary>
    private bool FromFiles => _options.TrainFile is not null;

    public LabelPolicy Labels { get; }

    public bool CleanLabel => false;

    public StegaStampEncoder Encoder => _encoder ?? throw new InvalidOperationException("ssba: the encoder is trained in Prepare or loaded with LoadArtifacts");

    public StegaStampDecoder Decoder => _decoder ?? throw new InvalidOperationException("ssba: the decoder is trained in Prepare or loaded with LoadArtifacts");

    /// <summary>The code every poisoned image carries, [bits] of 0/1.</summary>
    public Tensor Code => _code ?? throw new InvalidOperationException("ssba: the code is drawn in Prepare or loaded with LoadArtifacts");

    public void Prepare(AttackPreparation context)
    {
        if (FromFiles)
        {
            ReadFiles(context.CleanTrain.Count);
            context.Log.Info($"ssba: {_trainImages!.Count} encoded training images read from {_options.TrainFile}, {_testImages!.Count} test images from {_options.TestFile}");
            return;
        }
        var random = Seeds.Stream(context.Seed, "ssba-code");
        _code = tensor(Enumerable.Range(0, _options.Bits).Select(_ => (float)random.Next(2)).ToArray()).DetachFromDisposeScope();
        Seeds.SeedTorch(context.Seed, "ssba-init");
        Create(context.Pipeline.Device);
        string[]? cached = AttackCache.Files(context, $"ssba|{_options}|{AttackCache.Describe(_dataset)}|{context.Seed}",
            ".ssba-encoder.weights", ".ssba-decoder.weights");
        if (AttackCache.TryLoad(context, "ssba: encoder and decoder", cached, Encoder, Decoder))
        {
            Encoder.eval();
            Decoder.eval();
            return;
        }
        if (cached is not null && cached.All(File.Exists))
        {
            // The encoder may hold its cached file while the decoder's was unreadable: start again from the seed.
            Seeds.SeedTorch(context.Seed, "ssba-init");
            Create(context.Pipeline.Device);
        }
        Train(context);
        AttackCache.Save(cached, Encoder, Decoder);
    }

    private void ReadFiles(int trainRows)
    {
        _trainImages?.Dispose();
        _testImages?.Dispose();
        _trainImages = PrecomputedImages.ReadNpy(_options.TrainFile!, _dataset, trainRows, "training");
        _testImages = PrecomputedImages.ReadNpy(_options.TestFile!, _dataset);
    }

    /// <summary>Poisoned rows encoded with the attack's code, or, from BackdoorBench's files, the file's images of those rows.</summary>
    public Tensor Poison(Tensor images, PoisonRole role, DataSplit split, int[] rows)
    {
        if (role != PoisonRole.Poisoned) return images.clone();
        if (!FromFiles) return ApplyTrigger(images);
        var file = (split == DataSplit.Train ? _trainImages : _testImages)
                   ?? throw new AntidoteException($"ssba: BackdoorBench's encoded {(split == DataSplit.Train ? "training" : "test")} images are not loaded here");
        return file.Select(rows, images.device);
    }

    private void Create(Device device)
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
        _encoder = new StegaStampEncoder(_dataset.Channels, _options.Bits, _options.Width);
        _decoder = new StegaStampDecoder(_dataset.Channels, _options.Bits, _options.Width);
        _encoder.to(device);
        _decoder.to(device);
        _device = device;
    }

    /// <summary>The encoder and decoder trained together (train.py's loop).</summary>
    private void Train(AttackPreparation context)
    {
        var data = context.CleanTrain;
        long[] rows = Seeds.ShuffledRows(data.Count, context.Seed, "ssba-images");
        if (_options.MaxImages > 0 && _options.MaxImages < rows.Length) rows = rows[.._options.MaxImages];
        using var train = data.Subset(rows);
        using var adam = optim.Adam(Encoder.parameters().Concat(Decoder.parameters()), _options.LearningRate);
        var order = Seeds.Stream(context.Seed, "ssba-order");
        var codes = new Generator().manual_seed(Seeds.Derive(context.Seed, "ssba-codes"));
        int stepsPerEpoch = IndexBatches.Count(train.Count, _options.BatchSize), step = 0, sinceImageLoss = -1;
        var clock = Stopwatch.StartNew();
        context.Log.Info($"ssba: training the encoder and decoder ({_options.Epochs} epochs, {_options.Bits} bits, on {train.Count} clean images)");
        Encoder.train();
        Decoder.train();
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            double lossSum = 0, accuracySum = 0, imageLossSum = 0;
            int epochSteps = 0;
            foreach (long[] batch in IndexBatches.Shuffled(train.Count, _options.BatchSize, order))
            {
                context.Cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var images = train.Batch(batch, _device).Images;
                var code = randint(0, 2, [batch.Length, _options.Bits], generator: codes).to_type(ScalarType.Float32).to(_device);
                var encoded = Encoder.call(code, images);
                var logits = Decoder.call(encoded);
                var imageLoss = nn.functional.mse_loss(encoded, images);
                var bitLoss = nn.functional.binary_cross_entropy_with_logits(logits, code);
                double weight = Math.Clamp(_options.ImageLossWeight * (sinceImageLoss - _options.ImageLossAwait) / _options.ImageLossRamp, 0, _options.ImageLossWeight);
                var loss = imageLoss * (float)weight + bitLoss;
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new AntidoteException($"ssba: the encoder's loss is {lossValue} at epoch {epoch}, step {epochSteps + 1} (try a lower --ssba-learning-rate)");
                adam.zero_grad();
                loss.backward();
                adam.step();
                double accuracy = BitAccuracy(logits, code);
                // train.py: the image loss waits until the decoder first reads 90% of the bits, then its own await and ramp.
                if (sinceImageLoss < 0) { if (accuracy > 0.9) sinceImageLoss = 0; }
                else sinceImageLoss++;
                lossSum += lossValue;
                accuracySum += accuracy;
                imageLossSum += imageLoss.item<float>();
                epochSteps++;
                step++;
                double total = (double)_options.Epochs * stepsPerEpoch;
                context.Log.Progress(new ProgressUpdate("ssba encoder", epoch, _options.Epochs, epochSteps, stepsPerEpoch, lossSum / epochSteps,
                    TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / step * (total - step))));
            }
            context.Log.Info($"ssba epoch {epoch}/{_options.Epochs} loss {lossSum / epochSteps:F4} bit accuracy {accuracySum / epochSteps:P1} " +
                             $"image MSE {imageLossSum / epochSteps:F5} (PSNR {Psnr(imageLossSum / epochSteps):F1} dB)");
        }
        Encoder.eval();
        Decoder.eval();
        using var held = data.Subset(rows[..Math.Min(rows.Length, 512)]);
        using var scope2 = NewDisposeScope();
        var poisoned = ApplyTrigger(held.Images);
        double bits = BitAccuracy(Decode(poisoned), Code.unsqueeze(0).expand(held.Count, -1).to(_device));
        double mse = nn.functional.mse_loss(poisoned, held.Images).item<float>();
        context.Log.Info($"ssba: trained in {clock.Elapsed.TotalSeconds:F0}s; on {held.Count} training images with the attack's code: " +
                         $"bit accuracy {bits:P1}, PSNR {Psnr(mse):F1} dB, largest change {(poisoned - held.Images).abs().max().item<float>() * 255:F0}/255");
    }

    private static double Psnr(double mse) => mse > 0 ? 10 * Math.Log10(1 / mse) : double.PositiveInfinity;

    /// <summary>The share of bits whose logit has the code's sign.</summary>
    public static double BitAccuracy(Tensor logits, Tensor code) =>
        logits.gt(0).to_type(ScalarType.Float32).eq(code.to(logits.device)).to_type(ScalarType.Float32).mean().item<float>();

    /// <summary>The decoder's bit logits for <paramref name="images"/>, in batches.</summary>
    public Tensor Decode(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = new List<Tensor>();
        foreach (long[] batch in IndexBatches.InOrder((int)images.shape[0], 256))
            parts.Add(Decoder.call(images.index_select(0, tensor(batch, device: images.device)).to(_device)));
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Every image encoded with the attack's code, in batches, on the images' device.</summary>
    public Tensor ApplyTrigger(Tensor images)
    {
        if (FromFiles)
            throw new AntidoteException("ssba: read from BackdoorBench's encoded images, the attack has images only for the rows of its files, no encoder for new images");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = new List<Tensor>();
        var code = Code.to(_device).unsqueeze(0);
        foreach (long[] batch in IndexBatches.InOrder((int)images.shape[0], 256))
        {
            var x = images.index_select(0, tensor(batch, device: images.device)).to(_device);
            parts.Add(Encoder.call(code.expand(batch.Length, -1), x).to(images.device));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    public void SaveArtifacts(string runFolder)
    {
        if (FromFiles)
        {
            (_testImages ?? throw new InvalidOperationException("ssba: the encoded test images are read in Prepare")).Write(Path.Combine(runFolder, TestImagesFile));
            return;
        }
        ModelCheckpoint.Save(Encoder, Path.Combine(runFolder, EncoderFile));
        ModelCheckpoint.Save(Decoder, Path.Combine(runFolder, DecoderFile));
        TriggerTensorFile.Write(Path.Combine(runFolder, CodeFile), Code);
    }

    public void LoadArtifacts(string runFolder)
    {
        if (FromFiles)
        {
            _testImages?.Dispose();
            _testImages = PrecomputedImages.Read(Path.Combine(runFolder, TestImagesFile), _dataset, Name);
            return;
        }
        foreach (string file in new[] { EncoderFile, DecoderFile })
            if (!File.Exists(Path.Combine(runFolder, file)))
                throw new AntidoteException($"{runFolder}: the ssba run has no {file}");
        var code = TriggerTensorFile.Read(Path.Combine(runFolder, CodeFile), [_options.Bits], Name);
        Create(CPU);
        ModelCheckpoint.Load(Encoder, Path.Combine(runFolder, EncoderFile));
        ModelCheckpoint.Load(Decoder, Path.Combine(runFolder, DecoderFile));
        Encoder.eval();
        Decoder.eval();
        _code?.Dispose();
        _code = code.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
        _code?.Dispose();
        _trainImages?.Dispose();
        _testImages?.Dispose();
    }
}
