using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using Antidote.Attacks;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Core.Registries;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Experiments.Runs;
using Antidote.Models;

namespace Antidote.Tests.Core.Options;

/// <summary>Every registered attack, defense and model: its options record is complete, valid by default, and round-trips.</summary>
public class ComponentOptionsTests
{
    public static TheoryData<string, string> Entries()
    {
        var data = new TheoryData<string, string>();
        foreach (var e in AttackCatalog.Default.Entries) data.Add("attack", e.Name);
        foreach (var e in DefenseCatalog.Default.Entries) data.Add("defense", e.Name);
        foreach (var e in ModelCatalog.Default.Entries) data.Add("model", e.Name);
        return data;
    }

    private static IComponentEntry Entry(string kind, string name) => kind switch
    {
        "attack" => AttackCatalog.Default.Get(name),
        "defense" => DefenseCatalog.Default.Get(name),
        _ => ModelCatalog.Default.Get(name),
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void Defaults_validate_round_trip_through_json_and_refuse_unknown_keys(string kind, string name)
    {
        var entry = Entry(kind, name);
        var defaults = entry.DefaultOptions();
        Assert.IsType(entry.OptionsType, defaults);
        defaults.Validate();
        var json = OptionsJson.ToJson(defaults);
        Assert.Equal(defaults, OptionsJson.FromJson(json, entry.OptionsType, name));
        json["noSuchField"] = 1;
        var error = Assert.Throws<AntidoteException>(() => OptionsJson.FromJson(json, entry.OptionsType, name));
        Assert.Contains("noSuchField", error.Message);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Every_field_says_what_it_is(string kind, string name)
    {
        foreach (var (type, parameter) in Fields(Entry(kind, name).OptionsType))
        {
            string? description = parameter.GetCustomAttribute<DescriptionAttribute>()?.Description
                                  ?? type.GetProperty(parameter.Name!)?.GetCustomAttribute<DescriptionAttribute>()?.Description;
            Assert.False(string.IsNullOrWhiteSpace(description), $"{type.Name}.{parameter.Name} has no [Description]");
        }
    }

    [Fact]
    public void A_run_folder_keeps_a_component_by_its_registered_name_and_reads_it_back()
    {
        var options = new D3Options(Lambda: 3, Dual: new DualAscentOptions(Step: 0.2));
        string text = System.Text.Json.JsonSerializer.Serialize<IDefenseOptions>(options, RunJson.Options);
        Assert.Equal("d3", JsonNode.Parse(text)!["$type"]!.GetValue<string>());
        Assert.Equal(options, System.Text.Json.JsonSerializer.Deserialize<IDefenseOptions>(text, RunJson.Options));
        var unknown = JsonNode.Parse(text)!;
        unknown["$type"] = "no-such-defense";
        Assert.Contains("unknown defense 'no-such-defense'", Assert.Throws<AntidoteException>(() =>
            System.Text.Json.JsonSerializer.Deserialize<IDefenseOptions>(unknown.ToJsonString(), RunJson.Options)).Message);
    }

    [Fact]
    public void A_nested_problem_names_the_path()
    {
        var error = Assert.Throws<InvalidOptionException>(() => new D3Options(Dual: new DualAscentOptions(Step: -1)).Validate());
        Assert.Equal(["Dual", "Step"], error.Path);
        Assert.Equal("dual.step must be > 0, got -1", error.Message);
    }

    private static IEnumerable<(Type, ParameterInfo)> Fields(Type type)
    {
        foreach (var parameter in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters())
        {
            var valueType = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (typeof(IComponentOptions).IsAssignableFrom(valueType))
                foreach (var nested in Fields(valueType)) yield return nested;
            else
                yield return (type, parameter);
        }
    }
}
