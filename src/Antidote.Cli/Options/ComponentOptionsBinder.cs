using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Antidote.Core;
using Antidote.Core.Options;

namespace Antidote.Cli.Options;

/// <summary>
/// The command-line face of one options record: a "--{prefix}-{field}" option per field (nested records flattened, e.g.
/// D3's Dual.Step is --d3-dual-step), described by the field's [Description] and its default. Binding starts from the
/// record's defaults (or a given start), applies only what was given, and validates once, naming the flag. The same fields
/// are reachable as "field=value" pairs (a sweep's "d3+lambda-mode=fixed"). A new attack, defense or model gets its flags
/// from its record; nothing here changes.
/// </summary>
public sealed class ComponentOptionsBinder
{
    private sealed record Field(IReadOnlyList<PropertyInfo> Path, Type ValueType, string Key, Option Option);

    /// <summary>One field as help and `antidote list NAME` show it.</summary>
    /// <param name="Key">The field's name without the prefix: a sweep's "NAME+KEY=VALUE" and a YAML file's key.</param>
    public sealed record FieldHelp(string Flag, string Key, string ValueName, string? Default, string Description);

    private readonly List<Field> _fields = [];

    /// <param name="prefix">Flag prefix, usually the component's registered name ("d3" → --d3-epsilon); "" for none.</param>
    public ComponentOptionsBinder(string prefix, Type optionsType)
    {
        Prefix = prefix;
        OptionsType = optionsType;
        Defaults = OptionsJson.Defaults(optionsType);
        AddFields(optionsType, [], Defaults);
    }

    public string Prefix { get; }

    public Type OptionsType { get; }

    public IComponentOptions Defaults { get; }

    public IEnumerable<Option> Options => _fields.Select(f => f.Option);

    /// <summary>Every field with its flag, value kind, default and description.</summary>
    public IReadOnlyList<FieldHelp> Help() => _fields.Select(f => new FieldHelp(f.Option.Name, f.Key,
        f.ValueType == typeof(bool) ? "true|false" : HelpName(f.ValueType),
        Shown(FieldValue(Defaults, f)), f.Option.Description ?? "")).ToList();

    /// <summary>Every field of <paramref name="options"/> as (key, value) in the flags' spelling: what a YAML file or a
    /// sweep's modifiers would say to rebuild it.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Values(IComponentOptions options) =>
        _fields.Select(f => new KeyValuePair<string, string?>(f.Key, Shown(FieldValue(options, f)))).ToList();

    /// <summary>Whether <paramref name="key"/> (a flag without its prefix and dashes) is one of this record's fields.</summary>
    public bool HasKey(string key) => _fields.Any(f => f.Key == key);

    private static object? FieldValue(object? record, Field field)
    {
        object? value = record;
        foreach (var property in field.Path)
        {
            if (value is null) return null;
            value = property.GetValue(value);
        }
        return value;
    }

    /// <summary>The flags given on this command line.</summary>
    public IReadOnlyList<string> Given(ParseResult result) =>
        _fields.Where(f => result.GetResult(f.Option) is { Implicit: false }).Select(f => f.Option.Name).ToList();

    /// <summary>The options: <paramref name="start"/> (default: the record's defaults) with the given flags applied, validated.</summary>
    public IComponentOptions Bind(ParseResult result, IComponentOptions? start = null)
    {
        var json = OptionsJson.ToJson(start ?? Defaults);
        foreach (var field in _fields)
        {
            if (result.GetResult(field.Option) is not { Implicit: false }) continue;
            var value = field.ValueType == typeof(bool)
                ? JsonValue.Create(result.GetValue((Option<bool>)field.Option))
                : Parse(field, result.GetValue((Option<string>)field.Option)!, field.Option.Name);
            Set(json, field, value);
        }
        return Finish(json, key => $"--{Flag(key)}");
    }

    /// <summary>The options: <paramref name="start"/> with "field=value" pairs applied (field as in the flags, without the
    /// prefix), validated; <paramref name="where"/> says where the pairs came from.</summary>
    public IComponentOptions Apply(IComponentOptions start, IEnumerable<string> pairs, string where)
    {
        var json = OptionsJson.ToJson(start);
        foreach (string pair in pairs)
        {
            string[] kv = pair.Split('=', 2);
            var field = _fields.FirstOrDefault(f => f.Key == kv[0])
                        ?? throw new AntidoteException($"{where}: '{kv[0]}' is not an option of {Name}; known: {string.Join(", ", _fields.Select(f => f.Key))}");
            if (kv.Length != 2)
                throw new AntidoteException($"{where}: '{pair}' is not {kv[0]}=VALUE");
            Set(json, field, Parse(field, kv[1], $"{where}: {kv[0]}"));
        }
        return Finish(json, key => $"{where}: {key}");
    }

    private string Name => Prefix.Length == 0 ? OptionsType.Name : Prefix;

    private string Flag(string key) => Prefix.Length == 0 ? key : $"{Prefix}-{key}";

    private IComponentOptions Finish(JsonObject json, Func<string, string> spell)
    {
        var options = OptionsJson.FromJson(json, OptionsType, Name);
        try
        {
            options.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw new AntidoteException($"{spell(string.Join("-", e.Path.Select(Kebab)))} {e.Problem}");
        }
        return options;
    }

    private void AddFields(Type type, IReadOnlyList<PropertyInfo> parents, object? defaults)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        foreach (var parameter in constructor.GetParameters())
        {
            var property = type.GetProperty(parameter.Name!)!;
            var valueType = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            object? value = defaults is null ? null : property.GetValue(defaults);
            var path = parents.Append(property).ToList();
            if (typeof(IComponentOptions).IsAssignableFrom(valueType))
            {
                AddFields(valueType, path, value ?? OptionsJson.Defaults(valueType));
                continue;
            }
            string key = string.Join("-", path.Select(p => Kebab(p.Name)));
            string description = parameter.GetCustomAttribute<DescriptionAttribute>()?.Description
                                 ?? property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
            _fields.Add(new Field(path, valueType, key, CreateOption($"--{Flag(key)}", valueType, description, value)));
        }
    }

    private static Option CreateOption(string name, Type type, string description, object? defaultValue)
    {
        if (type == typeof(bool))
            return new Option<bool>(name) { Description = description, DefaultValueFactory = _ => defaultValue is true };
        string? shown = Shown(defaultValue);
        // The default is shown as help shows every default; binding applies only flags the user gave (not implicit ones).
        var option = new Option<string>(name) { Description = description, HelpName = HelpName(type) };
        if (shown is not null) option.DefaultValueFactory = _ => shown;
        if (type.IsEnum)
            option.AcceptOnlyFromAmong([.. Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName)]);
        return option;
    }

    private static string? Shown(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        Enum e => JsonNamingPolicy.KebabCaseLower.ConvertName(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string HelpName(Type type) =>
        type == typeof(int) || type == typeof(long) ? "int" : type == typeof(double) ? "number" : type.IsEnum ? "name" : type == typeof(string) ? "text" : type.Name;

    private static JsonNode Parse(Field field, string text, string what)
    {
        var type = field.ValueType;
        var culture = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return JsonValue.Create(text);
        if (type == typeof(bool) && bool.TryParse(text, out bool flag)) return JsonValue.Create(flag);
        if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, culture, out int i)) return JsonValue.Create(i);
        if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, culture, out long l)) return JsonValue.Create(l);
        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, culture, out double d) && double.IsFinite(d)) return JsonValue.Create(d);
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName).ToList();
            if (names.Contains(text)) return JsonValue.Create(text);
            throw new AntidoteException($"{what}: '{text}' is not one of {string.Join(", ", names)}");
        }
        throw new AntidoteException($"{what}: '{text}' is not {(type == typeof(bool) ? "true or false" : type == typeof(double) ? "a finite number" : "an integer")}");
    }

    /// <summary>Sets a field in the record's JSON; a nested record left null gets its defaults first.</summary>
    private static void Set(JsonObject json, Field field, JsonNode value)
    {
        var node = json;
        foreach (var parent in field.Path.SkipLast(1))
        {
            string name = Camel(parent.Name);
            if (node[name] is not JsonObject child)
            {
                var type = Nullable.GetUnderlyingType(parent.PropertyType) ?? parent.PropertyType;
                child = OptionsJson.ToJson(OptionsJson.Defaults(type));
                node[name] = child;
            }
            node = child;
        }
        node[Camel(field.Path[^1].Name)] = value;
    }

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static string Kebab(string name) => JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
