using Antidote.Models.PreActResNet18;
using Antidote.Models.SmallCnn;
using Antidote.Core;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Models;

public class ModelCatalogTests
{
    public static TheoryData<string> ModelNames() => new(ModelCatalog.Default.Names);

    private static ImageClassifier Tiny(string name, int classes = 5) =>
        ModelCatalog.Create(new ModelSpec(Components.Model(name), InChannels: 3, Classes: classes, ImageHeight: 32, ImageWidth: 32));

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Every_model_maps_a_batch_to_finite_logits_of_the_right_shape(string name)
    {
        var model = Tiny(name);
        model.eval();
        using var noGrad = no_grad();
        var logits = model.call(rand(2, 3, 32, 32));
        Assert.Equal([2, 5], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
        Assert.Equal(5, model.Classifier.weight!.shape[0]);
        Assert.Contains(model.named_parameters(), p => p.name == model.ClassifierName + ".weight");
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Every_model_survives_a_checkpoint_round_trip(string name)
    {
        using var temp = new TempDirectory();
        var model = Tiny(name);
        model.eval();
        ModelCheckpoint.Save(model, temp.File("w"));
        var restored = Tiny(name);
        restored.eval();
        ModelCheckpoint.Load(restored, temp.File("w"));
        using var noGrad = no_grad();
        var x = rand(2, 3, 32, 32);
        Assert.True(model.call(x).eq(restored.call(x)).all().item<bool>());
    }

    [Fact]
    public void A_model_of_zero_width_is_refused()
    {
        Assert.Throws<AntidoteException>(() => ModelCatalog.Create(new ModelSpec(new SmallCnnOptions(Width: 0), 1, 10, 28, 28)));
    }

    [Fact]
    public void PreActResNet18_uses_PyTorch_parameter_names()
    {
        var names = Tiny("preact-resnet18").state_dict().Keys.ToHashSet();
        foreach (string expected in new[] { "conv1.weight", "layer1.0.bn1.weight", "layer1.0.conv1.weight", "layer1.1.bn2.running_mean",
                     "layer2.0.shortcut.0.weight", "layer4.1.conv2.weight", "linear.weight", "linear.bias" })
            Assert.Contains(expected, names);
        Assert.DoesNotContain("layer1.0.shortcut.0.weight", names);
    }

    [Fact]
    public void PreActResNet18_at_width_64_has_the_standard_parameter_count()
    {
        var model = ModelCatalog.Create(new ModelSpec(new PreActResNet18Options(Width: 64), 3, 10, 32, 32));
        long count = model.parameters().Sum(p => p.numel());
        // BackdoorBench's PreActResNet18 for CIFAR-10: 11,171,146 parameters.
        Assert.Equal(11_171_146, count);
    }

    [Fact]
    public void A_checkpoint_of_another_shape_is_rejected_naming_the_tensors()
    {
        using var temp = new TempDirectory();
        ModelCheckpoint.Save(Tiny("small-cnn", classes: 5), temp.File("w"));
        var error = Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(Tiny("small-cnn", classes: 7), temp.File("w")));
        Assert.Contains("linear.weight is [5, 16] in the file, the model wants [7, 16]", error.Message);
        var other = Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(Tiny("preact-resnet18"), temp.File("w")));
        Assert.Contains("missing", other.Message);
    }

    [Fact]
    public void NaN_weights_and_truncated_files_are_rejected()
    {
        using var temp = new TempDirectory();
        var model = Tiny("small-cnn");
        using (no_grad()) model.Classifier.weight![0, 0] = float.NaN;
        ModelCheckpoint.Save(model, temp.File("nan"));
        Assert.Contains("NaN", Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(Tiny("small-cnn"), temp.File("nan"))).Message);

        byte[] bytes = File.ReadAllBytes(temp.File("nan"));
        File.WriteAllBytes(temp.File("short"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(Tiny("small-cnn"), temp.File("short"))).Message);
        File.WriteAllText(temp.File("text"), "not weights");
        Assert.Contains("bad magic", Assert.Throws<AntidoteException>(() => ModelCheckpoint.Load(Tiny("small-cnn"), temp.File("text"))).Message);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Every_model_names_its_feature_stages_and_hands_out_their_outputs(string name)
    {
        var model = Tiny(name);
        model.eval();
        using var noGrad = no_grad();
        var x = rand(2, 3, 32, 32);
        var stages = model.ForwardStages(x);
        Assert.NotEmpty(model.StageNames);
        Assert.Equal(model.StageNames.Append("logits"), stages.Keys);
        Assert.All(model.StageNames, s => Assert.Equal(2, stages[s].shape[0]));
        Assert.True(stages["logits"].allclose(model.call(x)));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void A_norm_layer_factory_replaces_every_norm_and_keeps_the_parameter_names(string name)
    {
        if (name == "vit") return; // no batch norm: refuses a factory (below)
        var spec = new ModelSpec(Components.Model(name), 3, 5, 32, 32);
        int built = 0;
        var custom = ModelCatalog.Create(spec, channels => { built++; return nn.BatchNorm2d(channels, momentum: 0.5); });
        var standard = ModelCatalog.Create(spec);
        Assert.Equal(built, standard.modules().Count(m => m is TorchSharp.Modules.BatchNorm2d));
        Assert.Equal(standard.state_dict().Keys, custom.state_dict().Keys);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Every_model_declares_its_stages_channel_gate_and_convolution_norm_pairs_as_its_forward_pass_runs_them(string name)
    {
        var model = Tiny(name);
        model.eval();
        var convOutputs = new Dictionary<string, Tensor>();
        var normInputs = new Dictionary<string, Tensor>();
        Tensor? gateInput = null;
        var hooks = new List<Action>();
        foreach (var pair in model.ConvolutionNorms)
        {
            var conv = Assert.IsType<TorchSharp.Modules.Conv2d>(model.Module(pair.Convolution));
            var norm = Assert.IsAssignableFrom<nn.Module<Tensor, Tensor>>(model.Module(pair.Norm));
            hooks.Add(conv.register_forward_hook((_, _, output) => { convOutputs[pair.Convolution] = output.detach().clone(); return output; }).remove);
            hooks.Add(norm.register_forward_pre_hook((_, input) => { normInputs[pair.Norm] = input.detach().clone(); return input; }).remove);
        }
        var gate = model.LastStageGate;
        Assert.Same(gate.Linear, model.Module(gate.LinearPath));
        Assert.Equal(gate.Channels * gate.ColumnsPerChannel, gate.Linear.in_features);
        hooks.Add(gate.Linear.register_forward_pre_hook((_, input) => { gateInput = input.detach().clone(); return input; }).remove);

        using var noGrad = no_grad();
        var stages = model.ForwardStages(rand(2, 3, 32, 32));

        foreach (var stage in model.Stages)
        {
            model.Module(stage.ModulePath);
            var output = stages[stage.Name];
            Assert.Equal(stage.Channels, stage.IsFeatureMap ? output.shape[1] : output.shape[^1]);
            Assert.Equal(stage.IsFeatureMap ? 4 : output.dim(), output.dim());
        }
        // Each declared convolution's output is exactly what its norm layer receives.
        foreach (var pair in model.ConvolutionNorms)
            Assert.True(convOutputs[pair.Convolution].shape.SequenceEqual(normInputs[pair.Norm].shape) && convOutputs[pair.Convolution].eq(normInputs[pair.Norm]).all().item<bool>(), $"{pair.Convolution} does not feed {pair.Norm}");
        Assert.NotNull(gateInput);
        Assert.Equal(gate.Channels * gate.ColumnsPerChannel, gateInput!.shape[1]);
        if (name == "vit") Assert.Empty(model.ConvolutionNorms);
        else Assert.NotEmpty(model.ConvolutionNorms);
        foreach (var remove in hooks) remove();
    }

    [Fact]
    public void A_model_without_batch_norm_refuses_a_substituted_norm_layer()
    {
        var spec = new ModelSpec(Components.Model("vit"), 3, 5, 32, 32);
        var error = Assert.Throws<AntidoteException>(() => ModelCatalog.Create(spec, channels => nn.BatchNorm2d(channels)));
        Assert.Contains("vit has no batch norm layers", error.Message);
    }
}
