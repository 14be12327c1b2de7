using System.Text.Json;
using System.Text.Json.Nodes;
using Antidote.Core.Options;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using static TorchSharp.torch;

namespace Antidote.Tests.Models.PyTorch;

/// <summary>
/// The architectures are PyTorch's, not look-alikes: each fixture (written by tools/pytorch/make_fixtures.py with PyTorch
/// 1.13 and torchvision 0.14, small widths) is a state dict PyTorch built, a fixed input batch, and PyTorch's logits for it
/// in eval mode. Antidote builds the same architecture from the catalog, loads the state dict (every key, shape and dtype
/// must match) and must give the same logits to 1e-4.
/// </summary>
public class PyTorchParityTests
{
    private static string Folder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(file)))!, "Fixtures", "pytorch");

    /// <summary>tests/Antidote.Tests/Fixtures/pytorch (written by tools/pytorch/make_fixtures.py).</summary>
    public static string FixtureFolder => Folder();

    private static JsonObject Manifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(), "manifest.json")))!.AsObject();

    public static TheoryData<string, string> Fixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, _) in Manifest())
            foreach (string format in new[] { "safetensors", "pth" })
                data.Add(name, format);
        return data;
    }

    public static ImageClassifier Build(string name) => ModelCatalog.Create(Spec(name));

    /// <summary>The fixture's architecture, options, input shape and classes, as the manifest records them.</summary>
    public static ModelSpec Spec(string name)
    {
        var fixture = Manifest()[name]!;
        var entry = ModelCatalog.Default.Get(name);
        var options = (IModelOptions)OptionsJson.FromJson(fixture["options"]!.DeepClone(), entry.OptionsType, name);
        var input = fixture["input"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        return new ModelSpec(options, input[0], fixture["classes"]!.GetValue<int>(), input[1], input[2]);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_PyTorch_state_dict_loads_and_gives_PyTorch_s_logits(string name, string format)
    {
        using var model = Build(name);
        ModelCheckpoint.Load(model, Path.Combine(Folder(), $"{name}.{format}"));
        model.eval();
        var io = new SafetensorsFormat().Read(Path.Combine(Folder(), $"{name}.io.safetensors"));
        using var input = Tensor(io["input"]);
        using var expected = Tensor(io["logits"]);
        using var noGrad = no_grad();
        using var logits = model.call(input);
        double difference = (logits - expected).abs().max().item<float>();
        Assert.True(difference <= 1e-4, $"{name} from {format}: logits differ from PyTorch's by up to {difference:G3}");
    }

    [Fact]
    public void Every_architecture_of_the_catalog_has_a_PyTorch_fixture_except_Antidote_s_own()
    {
        var covered = Manifest().Select(kv => kv.Key).ToHashSet();
        Assert.Equal(["small-cnn"], ModelCatalog.Default.Names.Where(n => !covered.Contains(n)));
    }

    [Fact]
    public void Parameter_counts_match_PyTorch_s()
    {
        foreach (var (name, fixture) in Manifest())
        {
            using var model = Build(name);
            Assert.Equal(fixture!["parameters"]!.GetValue<long>(), model.parameters().Sum(p => p.numel()));
        }
    }

    /// <summary>At torchvision's standard sizes, 10 classes: the parameter counts PyTorch 1.13 gives for resnet18(num_classes=10)
    /// etc. (BackdoorBench's PreAct-ResNet18: 11,171,146).</summary>
    [Theory]
    [InlineData("preact-resnet18", 32, 11_171_146L)]
    [InlineData("resnet18", 32, 11_181_642L)]
    [InlineData("resnet34", 32, 21_289_802L)]
    [InlineData("resnet50", 32, 23_528_522L)]
    [InlineData("vgg16-bn", 32, 134_309_962L)]
    [InlineData("vgg19-bn", 32, 139_622_218L)]
    [InlineData("vit", 224, 85_806_346L)]
    public void Standard_sizes_have_torchvision_s_parameter_counts(string name, int side, long expected)
    {
        using var model = ModelCatalog.Create(new ModelSpec(ModelCatalog.Default.Get(name).DefaultOptions, 3, 10, side, side));
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }

    private static Tensor Tensor(WeightTensor weights)
    {
        var t = empty(weights.Shape, weights.Type);
        t.bytes = weights.Data;
        return t;
    }
}
