using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Antidote.Core.Registries;

namespace Antidote.Core.Options;

/// <summary>
/// Writes a component's options as its record plus "$type": the registered name; reads them back through the registry, so
/// a run folder stores only the chosen component's options and a new component needs no change here.
/// </summary>
public sealed class ComponentOptionsConverter<TOptions, TEntry>(Registry<TEntry> registry) : JsonConverter<TOptions>
    where TOptions : class, IComponentOptions
    where TEntry : IComponentEntry
{
    public const string TypeKey = "$type";

    public override TOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader)?.AsObject() ?? throw new JsonException($"{registry.Kind} options are null");
        if (node[TypeKey] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
            throw new JsonException($"{registry.Kind} options have no \"{TypeKey}\"");
        var entry = registry.Get(name.GetValue<string>());
        node.Remove(TypeKey);
        return (TOptions)(node.Deserialize(entry.OptionsType, options) ?? throw new JsonException($"{registry.Kind} options are null"));
    }

    public override void Write(Utf8JsonWriter writer, TOptions value, JsonSerializerOptions options)
    {
        var entry = registry.Entries.FirstOrDefault(e => e.OptionsType == value.GetType())
                    ?? throw new InvalidOperationException($"{value.GetType().Name} is not the options type of a registered {registry.Kind}");
        var node = new JsonObject { [TypeKey] = entry.Name };
        foreach (var (key, child) in JsonSerializer.SerializeToNode(value, value.GetType(), options)!.AsObject().ToList())
            node[key] = child?.DeepClone();
        node.WriteTo(writer, options);
    }
}
