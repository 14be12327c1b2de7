using System.Globalization;
using Antidote.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Antidote.Cli.Options;

/// <summary>A flag set by a configuration file, and where (file, line, key) for error messages.</summary>
/// <param name="Key">The key as written, dotted for nesting ("blended.alpha").</param>
public sealed record ConfigSetting(string Flag, string Value, string Where, string Key);

/// <summary>
/// Reads a YAML settings file into the flags of a command, so a file and the command line share one vocabulary, one
/// default and one check per field: a key is a flag without its dashes (<c>epochs: 10</c> is <c>--epochs 10</c>); a
/// mapping under a key prefixes its keys (<c>blended: {alpha: 0.2}</c> is <c>--blended-alpha 0.2</c>, and a nested record
/// nests again); a list becomes the comma-separated value a sweep flag takes, and a list item that is a mapping with a
/// <c>name</c> becomes NAME+KEY=VALUE (<c>{name: badnets, target: 3}</c> is <c>badnets+target=3</c>).
/// </summary>
public static class ConfigFile
{
    /// <summary>A settings file is a page of text; anything larger is not one (and an alias bomb is refused by the node count).</summary>
    public const long MaxBytes = 1 << 20;

    private const int MaxNodes = 100_000;

    public static IReadOnlyList<ConfigSetting> Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new AntidoteException($"config file {path} not found");
        if (info.Length > MaxBytes) throw new AntidoteException($"{path}: {info.Length} bytes is too large for a settings file (at most {MaxBytes})");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new AntidoteException($"{path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents.Count > 1) throw new AntidoteException($"{path}: holds {stream.Documents.Count} YAML documents; a settings file is one");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new AntidoteException($"{path}:{stream.Documents[0].RootNode.Start.Line}: a settings file is a mapping of keys to values (epochs: 10)");
        var settings = new List<ConfigSetting>();
        int nodes = 0;
        Flatten(path, root, "", "", settings, ref nodes);
        return settings;
    }

    private static void Flatten(string path, YamlMappingNode mapping, string flagPrefix, string keyPrefix, List<ConfigSetting> settings, ref int nodes)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                throw new AntidoteException($"{path}:{keyNode.Start.Line}: a key must be a plain name");
            string flag = flagPrefix + key, dotted = keyPrefix + key, where = $"{path}:{keyNode.Start.Line}";
            if (++nodes > MaxNodes) throw new AntidoteException($"{path}: more than {MaxNodes} values (aliases expanding?)");
            switch (valueNode)
            {
                case YamlMappingNode nested:
                    Flatten(path, nested, flag + "-", dotted + ".", settings, ref nodes);
                    break;
                case YamlSequenceNode list:
                    var items = new List<string>();
                    foreach (var item in list.Children) items.Add(Item(path, item, ref nodes));
                    settings.Add(new ConfigSetting("--" + flag, string.Join(",", items), where, dotted));
                    break;
                case YamlScalarNode scalar:
                    settings.Add(new ConfigSetting("--" + flag, Scalar(path, scalar), where, dotted));
                    break;
                default:
                    throw new AntidoteException($"{where}: '{dotted}' has a value of a kind settings do not take");
            }
        }
    }

    /// <summary>A list item: a scalar as written; a mapping with a name as NAME+KEY=VALUE (nested keys joined by '-').</summary>
    private static string Item(string path, YamlNode item, ref int nodes)
    {
        if (++nodes > MaxNodes) throw new AntidoteException($"{path}: more than {MaxNodes} values (aliases expanding?)");
        if (item is YamlScalarNode scalar)
        {
            string value = Scalar(path, scalar);
            if (value.Contains(',')) throw new AntidoteException($"{path}:{item.Start.Line}: a list item cannot hold a comma ('{value}')");
            return value;
        }
        if (item is not YamlMappingNode mapping)
            throw new AntidoteException($"{path}:{item.Start.Line}: a list item is a name or a mapping with a name");
        var pairs = new List<ConfigSetting>();
        Flatten(path, mapping, "", "", pairs, ref nodes);
        var name = pairs.FirstOrDefault(p => p.Flag == "--name")
                   ?? throw new AntidoteException($"{path}:{item.Start.Line}: a list item that is a mapping needs a 'name' (e.g. {{name: badnets, target: 3}})");
        var parts = new List<string> { name.Value };
        foreach (var pair in pairs.Where(p => p != name))
        {
            if (pair.Value.Contains(',') || pair.Value.Contains('+'))
                throw new AntidoteException($"{pair.Where}: '{pair.Key}' in a list item cannot hold ',' or '+' ('{pair.Value}')");
            parts.Add($"{pair.Flag[2..]}={pair.Value}");
        }
        return string.Join("+", parts);
    }

    private static string Scalar(string path, YamlScalarNode scalar)
    {
        string value = scalar.Value ?? "";
        if (scalar.Style == ScalarStyle.Plain && value is "~" or "null" or "")
            throw new AntidoteException($"{path}:{scalar.Start.Line}: a value is missing (null is not a setting; leave the key out for the default)");
        // YAML's other spellings of true and false, as the flags spell them.
        if (scalar.Style == ScalarStyle.Plain && value is "True" or "TRUE" or "yes") return "true";
        if (scalar.Style == ScalarStyle.Plain && value is "False" or "FALSE" or "no") return "false";
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
