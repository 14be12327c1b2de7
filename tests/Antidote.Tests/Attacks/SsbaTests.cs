using Antidote.Attacks;
using Antidote.Attacks.Ssba;
using Antidote.Core;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class SsbaTests
{
    // 25 epochs: at 15 the decoder read 100% of the bits with 2 CPU threads and 87.5% with 1 (the float sums of a different
    // thread count take training elsewhere); at 25 it read 99.8% and 100%.
    private static readonly SsbaOptions Small = new(Bits: 8, Width: 8, Epochs: 25, BatchSize: 32, LearningRate: 3e-3,
        ImageLossWeight: 10, ImageLossAwait: 20, ImageLossRamp: 40);

    private static SsbaAttack Trained(TestKit.ListRunLog? log = null)
    {
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var train = QuadrantImages.Create(256, side: 12, seed: 1);
        var attack = new SsbaAttack(new AttackRequest(info, new AttackSettings(), Small), Small);
        attack.Prepare(Components.Preparation(info) with { CleanTrain = train, Log = (Antidote.Core.Logging.IRunLog?)log ?? Antidote.Core.Logging.NullRunLog.Instance });
        return attack;
    }

    [Fact]
    public void The_decoder_reads_the_attack_code_back_from_poisoned_images_and_each_image_gets_its_own_residual()
    {
        using var scope = NewDisposeScope();
        var log = new ListRunLog();
        using var attack = Trained(log);
        using var held = QuadrantImages.Create(64, side: 12, seed: 9);
        var poisoned = attack.ApplyTrigger(held.Images);
        var code = attack.Code.unsqueeze(0).expand(64, -1);
        double accuracy = SsbaAttack.BitAccuracy(attack.Decode(poisoned), code);
        Assert.True(accuracy > 0.9, $"bit accuracy {accuracy:P1}\n{string.Join("\n", log.Lines.Where(l => !l.StartsWith("progress")))}");
        // Clean images carry no code: the decoder reads them no better than it reads the code from unrelated noise.
        double clean = SsbaAttack.BitAccuracy(attack.Decode(held.Images), code);
        Assert.True(clean < accuracy, $"{clean} >= {accuracy}");
        // Sample-specific: the residuals differ between images (not one additive pattern).
        var residual = poisoned - held.Images;
        Assert.True((residual[0] - residual[1]).abs().mean().item<float>() > 1e-3f);
    }

    [Fact]
    public void A_rebuilt_attack_encodes_exactly_as_the_trained_one_and_a_missing_encoder_is_one_clear_error()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var options = new SsbaOptions(Bits: 8, Width: 4, Epochs: 1, BatchSize: 8);
        using var attack = (SsbaAttack)Components.Attack("ssba", info, new AttackSettings(), options);
        attack.SaveArtifacts(folder.Path);
        using var rebuilt = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        rebuilt.LoadArtifacts(folder.Path);
        var images = rand([5, 1, 12, 12], generator: new Generator().manual_seed(2));
        Assert.True(attack.ApplyTrigger(images).allclose(rebuilt.ApplyTrigger(images), rtol: 0, atol: 0));
        Assert.True(rebuilt.Code.allclose(attack.Code, rtol: 0, atol: 0));

        File.Delete(Path.Combine(folder.Path, SsbaAttack.EncoderFile));
        using var broken = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        Assert.Contains("no ssba-encoder.weights", Assert.Throws<AntidoteException>(() => broken.LoadArtifacts(folder.Path)).Message);
    }

    [Fact]
    public void A_second_run_with_the_same_settings_loads_the_cached_encoder_and_encodes_the_same()
    {
        using var scope = NewDisposeScope();
        using var cache = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var options = new SsbaOptions(Bits: 8, Width: 4, Epochs: 1, BatchSize: 8);
        var log = new ListRunLog();
        var context = Components.Preparation(info) with { CacheFolder = cache.Path, Log = log };
        using var first = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        first.Prepare(context);
        Assert.Equal(2, Directory.GetFiles(cache.Path).Length);
        using var second = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        second.Prepare(context);
        Assert.Contains(log.Lines, l => l.Contains("loaded from the cache"));
        var images = rand([3, 1, 12, 12], generator: new Generator().manual_seed(5));
        Assert.True(first.ApplyTrigger(images).allclose(second.ApplyTrigger(images), rtol: 0, atol: 0));
        // Other settings are another encoder.
        var wider = options with { Width = 5 };
        using var third = new SsbaAttack(new AttackRequest(info, new AttackSettings(), wider), wider);
        third.Prepare(context);
        Assert.Equal(4, Directory.GetFiles(cache.Path).Length);
    }

    /// <summary>A BackdoorBench-style image file: uint8 (N, H, W, C), every pixel of every image distinct enough to catch a
    /// transposed axis or a shifted row.</summary>
    public static (byte[] File, Tensor Images) ImageFile(int count, int side, int channels, int salt)
    {
        byte[] pixels = new byte[count * side * side * channels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 7 + salt * 31 + i / 97) % 256);
        using var scope = NewDisposeScope();
        var nhwc = tensor(pixels, [count, side, side, channels], ScalarType.Byte);
        var images = nhwc.permute(0, 3, 1, 2).to_type(ScalarType.Float32).div(255f);
        return (NpyWriter.Bytes("|u1", [count, side, side, channels], pixels), images.MoveToOuterDisposeScope());
    }

    [Fact]
    public void BackdoorBench_encoded_images_replace_the_encoder_row_by_row_and_the_test_images_rebuild_from_the_run_folder()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 6, channels: 3);
        var (trainFile, trainImages) = ImageFile(20, 6, 3, salt: 1);
        var (testFile, testImages) = ImageFile(10, 6, 3, salt: 2);
        File.WriteAllBytes(folder.File("train.npy"), trainFile);
        File.WriteAllBytes(folder.File("test.npy"), testFile);
        var options = new SsbaOptions(TrainFile: folder.File("train.npy"), TestFile: folder.File("test.npy"));
        options.Validate();
        var clean = new Antidote.Data.ImageDataset(zeros([20, 3, 6, 6]), zeros([20], ScalarType.Int64));
        using var attack = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        attack.Prepare(Components.Preparation(info) with { CleanTrain = clean });

        int[] rows = [3, 17, 0];
        var poisoned = attack.Poison(clean.Images.index_select(0, tensor(new long[] { 3, 17, 0 })), PoisonRole.Poisoned, DataSplit.Train, rows);
        Assert.True(poisoned.allclose(trainImages.index_select(0, tensor(new long[] { 3, 17, 0 })), rtol: 0, atol: 0));
        var test = attack.Poison(zeros([2, 3, 6, 6]), PoisonRole.Poisoned, DataSplit.Test, [9, 4]);
        Assert.True(test.allclose(testImages.index_select(0, tensor(new long[] { 9, 4 })), rtol: 0, atol: 0));
        Assert.True(attack.Poison(ones([1, 3, 6, 6]), PoisonRole.Cross, DataSplit.Train, [5]).allclose(ones([1, 3, 6, 6]), rtol: 0, atol: 0));
        Assert.Contains("row 10", Assert.Throws<AntidoteException>(() => attack.Poison(zeros([1, 3, 6, 6]), PoisonRole.Poisoned, DataSplit.Test, [10])).Message);
        Assert.Contains("no encoder", Assert.Throws<AntidoteException>(() => attack.ApplyTrigger(zeros([1, 3, 6, 6]))).Message);

        attack.SaveArtifacts(folder.Path);
        Assert.False(File.Exists(Path.Combine(folder.Path, SsbaAttack.EncoderFile)));
        File.Delete(folder.File("test.npy"));
        using var rebuilt = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
        rebuilt.LoadArtifacts(folder.Path);
        Assert.True(rebuilt.Poison(zeros([2, 3, 6, 6]), PoisonRole.Poisoned, DataSplit.Test, [9, 4]).allclose(test, rtol: 0, atol: 0));
    }

    [Fact]
    public void Encoded_image_files_that_do_not_match_the_data_are_one_clear_error()
    {
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 6, channels: 3);
        File.WriteAllBytes(folder.File("train.npy"), ImageFile(20, 6, 3, salt: 1).File);
        File.WriteAllBytes(folder.File("small.npy"), ImageFile(4, 4, 3, salt: 1).File);
        var clean = new Antidote.Data.ImageDataset(zeros([21, 3, 6, 6]), zeros([21], ScalarType.Int64));
        string Error(SsbaOptions options)
        {
            using var attack = new SsbaAttack(new AttackRequest(info, new AttackSettings(), options), options);
            return Assert.Throws<AntidoteException>(() => attack.Prepare(Components.Preparation(info) with { CleanTrain = clean })).Message;
        }
        Assert.Contains("20 images, but the training set has 21 rows", Error(new SsbaOptions(TrainFile: folder.File("train.npy"), TestFile: folder.File("train.npy"))));
        Assert.Contains("do not fit", Error(new SsbaOptions(TrainFile: folder.File("small.npy"), TestFile: folder.File("train.npy"))));
        Assert.Contains("missing.npy", Error(new SsbaOptions(TrainFile: folder.File("missing.npy"), TestFile: folder.File("train.npy"))));
        var alone = Assert.Throws<Antidote.Core.Options.InvalidOptionException>(() => new SsbaOptions(TrainFile: folder.File("train.npy")).Validate());
        Assert.Equal(["TestFile"], alone.Path);
    }
}
