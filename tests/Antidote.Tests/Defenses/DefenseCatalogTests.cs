using System.Text.Json.Nodes;
using Antidote.Core.Options;
using Antidote.Defenses;
using Antidote.Models;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

/// <summary>Every registered defense, with its default options cut to one short epoch, on a small planted backdoor: it
/// returns a new model of the same architecture with finite weights and leaves the input model untouched.</summary>
public class DefenseCatalogTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    public static TheoryData<string> DefenseNames() => new(DefenseCatalog.Default.Names);

    [Theory]
    [MemberData(nameof(DefenseNames))]
    public void Each_defense_returns_a_new_model_and_leaves_the_input_untouched(string name)
    {
        var planted = fixture.Planted;
        var entry = DefenseCatalog.Default.Get(name);
        var options = Short(entry);
        options.Validate();
        var before = planted.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var outcome = entry.Create(options).Run(planted.Context());

        using var defended = outcome.Model;
        Assert.NotSame(planted.Model, defended);
        Assert.Equal(before.Keys.Order(), defended.state_dict().Keys.Order());
        foreach (var (key, value) in defended.state_dict())
        {
            Assert.Equal(before[key].shape, value.shape);
            if (value.is_floating_point()) Assert.True(value.isfinite().all().item<bool>(), key);
        }
        foreach (var (key, value) in planted.Model.state_dict())
            Assert.True(value.eq(before[key]).all().item<bool>(), $"{name} changed the input model's {key}");
    }

    /// <summary>The defaults with every "epochs" field at 1 and every step floor or reference phase at 0.</summary>
    private static IDefenseOptions Short(DefenseEntry entry)
    {
        var json = OptionsJson.ToJson(entry.DefaultOptions);
        void Cut(JsonObject node)
        {
            foreach (var (key, child) in node.ToList())
            {
                if (child is JsonObject nested) Cut(nested);
                else if (key == "epochs") node[key] = 1;
                else if (key is "minSteps" or "referenceEpochs") node[key] = 0;
            }
        }
        Cut(json);
        return (IDefenseOptions)OptionsJson.FromJson(json, entry.OptionsType, entry.Name);
    }
}

/// <summary>One planted backdoor shared by a test class.</summary>
public sealed class PlantedBackdoorFixture : IDisposable
{
    public PlantedBackdoor Planted { get; } = new(epochs: 4);

    public void Dispose() => Planted.Dispose();
}
