using Antidote.Core;
using Antidote.Defenses.D3;
using Antidote.Models;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

public class D3PushTests
{
    public static TheoryData<string> ModelNames() => new(ModelCatalog.Default.Names);

    private static ImageClassifier Create(string name) =>
        ModelCatalog.Create(new ModelSpec(Components.Model(name), InChannels: 3, Classes: 5, ImageHeight: 32, ImageWidth: 32));

    private static List<string> Selected(ImageClassifier model, D3Push push)
    {
        using var selected = new SelectedWeights(model, SelectedWeights.ModulesFor(model, push), p: 2);
        return selected.Names;
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Each_push_takes_more_of_the_model_than_the_one_before_it(string name)
    {
        using var model = Create(name);
        var classifier = Selected(model, D3Push.Classifier);
        var lastStage = Selected(model, D3Push.LastStage);
        var all = Selected(model, D3Push.All);
        Assert.Equal([model.ClassifierName + ".weight"], classifier);
        Assert.Subset(lastStage.ToHashSet(), classifier.ToHashSet());
        Assert.Subset(all.ToHashSet(), lastStage.ToHashSet());
        Assert.True(lastStage.Count > classifier.Count, string.Join(", ", lastStage));
        Assert.True(all.Count > lastStage.Count, $"{all.Count} vs {lastStage.Count}");
        // every Linear/Conv weight of the model, each once
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(model.named_parameters().Count(p => p.name.EndsWith(".weight") && p.parameter.dim() is 2 or 4), all.Count);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_last_stage_is_the_part_of_the_network_just_before_the_classifier(string name)
    {
        // Its weights sit downstream of every other pushed-or-not weight: changing the first layer changes its input,
        // changing it never changes the first layer's output. Checked as: the last stage's weights get a gradient from
        // the logits, and the model's first stage output does not depend on them.
        using var model = Create(name);
        model.eval();
        var lastStage = Selected(model, D3Push.LastStage).Where(n => n != model.ClassifierName + ".weight").ToList();
        Assert.NotEmpty(lastStage);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var x = randn(2, 3, 32, 32);
        var firstStage = model.ForwardStages(x)[model.StageNames[0]].detach().clone();
        using (no_grad())
        {
            // ViT's head starts at zeros (torchvision's init), which would stop every gradient below it.
            nn.init.normal_(model.Classifier.weight!);
            foreach (var weight in lastStage)
                parameters[weight].mul_(-1);
        }
        var after = model.ForwardStages(x);
        Assert.True(after[model.StageNames[0]].allclose(firstStage), "the first stage changed");
        after["logits"].sum().backward();
        Assert.All(lastStage, w => Assert.True(parameters[w].grad is { } g && g.abs().sum().item<float>() > 0, $"{w} gets no gradient"));
    }

    [Fact]
    public void A_module_path_overrides_the_push()
    {
        using var model = Create("small-cnn");
        using var selected = new SelectedWeights(model, ["conv1", "linear"], p: 2);
        Assert.Equal(["conv1.weight", "linear.weight"], selected.Names);
        var error = Assert.Throws<AntidoteException>(() => new SelectedWeights(model, ["layer9"], p: 2));
        Assert.Contains("no module 'layer9'", error.Message);
    }
}
