using Antidote.Attacks;
using Antidote.Attacks.TrojanNN;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class TrojanNNTests
{
    [Fact]
    public void The_trigger_stays_inside_its_square_mask_and_within_epsilon_of_its_grey_start()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info(side: 12, channels: 3);
        var options = new TrojanNNOptions(MaskSide: 0.25, Start: TrojanNNStart.Grey, Steps: 15, Epsilon: 0.3, StepSize: 0.1, CleanModelEpochs: 1);
        using var attack = (TrojanNNAttack)Components.Attack("trojannn", info, new AttackSettings(), options);
        var trigger = attack.Trigger;
        Assert.Equal(new long[] { 3, 12, 12 }, trigger.shape);
        // The mask: the bottom-right 3x3 corner (0.25 x 12).
        var inside = zeros([3, 12, 12], ScalarType.Bool);
        inside[TensorIndex.Colon, TensorIndex.Slice(9), TensorIndex.Slice(9)] = tensor(true);
        Assert.Equal(0f, trigger.masked_fill(inside, 0).abs().max().item<float>());
        var masked = trigger.masked_select(inside);
        Assert.True(masked.min().item<float>() >= 0.2f - 1e-6f, $"{masked.min().item<float>()} < 0.5 - ε");
        Assert.True(masked.max().item<float>() <= 0.8f + 1e-6f, $"{masked.max().item<float>()} > 0.5 + ε");
        Assert.True(masked.ne(0.5f).any().item<bool>(), "the optimisation moved no pixel");
    }

    [Fact]
    public void The_noise_start_is_seeded_inside_the_square_and_differs_between_seeds()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var options = new TrojanNNOptions(MaskSide: 0.5, Start: TrojanNNStart.Noise);
        using var attack = new TrojanNNAttack(new AttackRequest(info, new AttackSettings(), options), options);
        var a = attack.MaskStart(seed: 1);
        Assert.True(a.allclose(attack.MaskStart(seed: 1), rtol: 0, atol: 0));
        Assert.False(a.allclose(attack.MaskStart(seed: 2), rtol: 0, atol: 0));
        var square = a[0, TensorIndex.Slice(6), TensorIndex.Slice(6)];
        Assert.True(square.ge(0.25f).all().item<bool>() && square.le(0.75f).all().item<bool>());
        Assert.Equal(0f, a[0, TensorIndex.Slice(0, 6)].abs().max().item<float>());
    }

    [Fact]
    public void Optimising_the_trigger_drives_the_selected_neurons_towards_their_target()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var preparation = Components.Preparation(info);
        // A fixed initialisation: with the global generator's state of the moment both neurons could start dead (ReLU at 0).
        manual_seed(7);
        using var model = preparation.CreateModel();
        long[] neurons = TrojanNNAttack.MostConnectedNeurons(model, 2);
        var start = zeros([1, 12, 12]);
        start[0, TensorIndex.Slice(2, 12), TensorIndex.Slice(2, 12)] = tensor(0.5f);
        var options = new TrojanNNOptions(Steps: 30, NeuronTarget: 100, Epsilon: 0.5, StepSize: 0.05);
        var (trigger, before, after, _) = TrojanNNAttack.Optimise(model, preparation.Pipeline, start, neurons, options, NullRunLog.Instance);
        double Cost(float[] values) => values.Sum(v => (v - 100.0) * (v - 100.0));
        Assert.True(before.Any(v => v > 0), "both neurons start dead: pick another initialisation seed");
        Assert.True(Cost(after) < Cost(before), $"{Cost(after)} >= {Cost(before)}");
        Assert.Equal(0f, trigger.masked_fill(start.gt(0), 0).abs().max().item<float>());
    }

    [Fact]
    public void The_most_connected_neurons_are_the_classifier_inputs_with_the_largest_summed_absolute_weight()
    {
        using var scope = NewDisposeScope();
        var info = QuadrantImages.Info();
        using var model = Components.Preparation(info).CreateModel();
        var weight = model.Classifier.weight!;
        using (no_grad())
        {
            weight.fill_(0.01f);
            weight[0, 5] = tensor(-3f);
            weight[1, 2] = tensor(2f);
            weight[2, 2] = tensor(-0.5f);
        }
        Assert.Equal(new long[] { 5, 2 }, TrojanNNAttack.MostConnectedNeurons(model, 2));
        var error = Assert.Throws<AntidoteException>(() => TrojanNNAttack.MostConnectedNeurons(model, 100_000));
        Assert.Contains("--trojannn-neurons", error.Message);
    }

    [Fact]
    public void A_mask_file_sets_the_mask_and_a_rebuilt_attack_applies_the_same_trigger()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var maskImage = zeros([1, 12, 12]);
        maskImage[0, TensorIndex.Slice(0, 4), TensorIndex.Slice(0, 12)] = tensor(0.8f);
        ImageFile.WritePng(folder.File("mask.png"), maskImage);
        var options = new TrojanNNOptions(MaskFile: folder.File("mask.png"), Steps: 5, CleanModelEpochs: 1);
        using var attack = (TrojanNNAttack)Components.Attack("trojannn", info, new AttackSettings(), options);
        Assert.Equal(0f, attack.Trigger[0, TensorIndex.Slice(4)].abs().max().item<float>());
        Assert.True(attack.Trigger[0, TensorIndex.Slice(0, 4)].gt(0).all().item<bool>());
        attack.SaveArtifacts(folder.Path);
        Assert.True(File.Exists(folder.File(TrojanNNAttack.TriggerImageFile)));

        using var rebuilt = new TrojanNNAttack(new AttackRequest(info, new AttackSettings(), options), options);
        rebuilt.LoadArtifacts(folder.Path);
        var images = rand([4, 1, 12, 12], generator: new Generator().manual_seed(3));
        Assert.True(attack.ApplyTrigger(images).allclose(rebuilt.ApplyTrigger(images), rtol: 0, atol: 0));
        // Added and clipped: a white image stays white, a black one takes the trigger's values.
        Assert.True(rebuilt.ApplyTrigger(zeros([1, 1, 12, 12]))[0].allclose(attack.Trigger, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_run_folder_without_the_trigger_or_with_another_shape_is_one_clear_error()
    {
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var options = new TrojanNNOptions();
        using var attack = new TrojanNNAttack(new AttackRequest(info, new AttackSettings(), options), options);
        Assert.Contains("no trojannn-trigger.safetensors", Assert.Throws<AntidoteException>(() => attack.LoadArtifacts(folder.Path)).Message);
        TriggerTensorFile.Write(folder.File(TrojanNNAttack.TriggerFile), zeros([3, 12, 12]));
        Assert.Contains("not a trojannn trigger of shape [1, 12, 12]", Assert.Throws<AntidoteException>(() => attack.LoadArtifacts(folder.Path)).Message);
    }

    [Fact]
    public void A_clean_model_file_is_used_instead_of_training_one()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var info = QuadrantImages.Info(side: 12, channels: 1);
        var preparation = Components.Preparation(info);
        using (var model = preparation.CreateModel())
        {
            using (no_grad())
            {
                model.Classifier.weight!.fill_(0.01f);
                model.Classifier.weight![0, 7] = tensor(5f);
                model.Classifier.weight![1, 3] = tensor(4f);
            }
            Antidote.Models.Checkpoints.ModelCheckpoint.Save(model, folder.File("clean.safetensors"), new Antidote.Models.Checkpoints.SafetensorsFormat());
        }
        var options = new TrojanNNOptions(Steps: 2, CleanModelFile: folder.File("clean.safetensors"));
        var log = new ListRunLog();
        using var attack = new TrojanNNAttack(new AttackRequest(info, new AttackSettings(), options), options);
        attack.Prepare(preparation with { Log = log });
        Assert.Equal(new long[] { 7, 3 }, attack.SelectedNeurons);
        Assert.Contains(log.Lines, l => l.Contains("clean model read from"));
        Assert.DoesNotContain(log.Lines, l => l.Contains("training a clean model"));
    }
}
