using System.CommandLine;
using Antidote.Core;

namespace Antidote.Cli.Options;

/// <summary>A command that can rerun a run folder: the settings its config.json holds, as this command's flags.</summary>
public interface IRerunsFolders
{
    IReadOnlyList<ConfigSetting> SettingsOf(string runFolder);
}

/// <summary>
/// --config FILE (YAML, or a run folder / its config.json to rerun it): the file's settings become flags placed after the
/// command line's, skipping every flag the command line gave, so flags override the file and one parser checks both. The
/// settings are kept so an error about a flag can say which file and line set it.
/// </summary>
public static class ConfigArguments
{
    public const string OptionName = "--config";

    public static Option<string?> Option() => new(OptionName)
    {
        Description = "Settings file: YAML whose keys are this command's flags without dashes (a component's options under its name: " +
                      "blended: {alpha: 0.2}), or a run folder (its config.json) to rerun it; flags given here override the file",
    };

    /// <summary>The settings that came from a file in this process, for <see cref="Explain"/>.</summary>
    public static IReadOnlyList<ConfigSetting> FromFile { get; private set; } = [];

    /// <summary>The arguments with the file's settings added, or <paramref name="args"/> when no file is named.</summary>
    public static string[] Expand(ParseResult parsed, string[] args, string? fileFromArgument = null)
    {
        FromFile = [];
        var command = parsed.CommandResult.Command;
        var configOption = command.Options.FirstOrDefault(o => o.Name == OptionName);
        string? file = fileFromArgument ?? (configOption is null ? null : parsed.GetResult(configOption)?.GetValueOrDefault<string?>());
        if (file is null) return args;
        bool runFolder = Directory.Exists(file) || Path.GetFileName(file) == "config.json";
        IReadOnlyList<ConfigSetting> settings;
        if (runFolder)
        {
            if (command is not IRerunsFolders reruns)
                throw new AntidoteException($"{OptionName} {file}: `antidote {command.Name}` takes a YAML settings file, not a run folder");
            string folder = Directory.Exists(file) ? file : Path.GetDirectoryName(Path.GetFullPath(file))!;
            settings = reruns.SettingsOf(folder);
        }
        else
        {
            settings = ConfigFile.Read(file);
        }
        var byName = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in command.Options.Concat(parsed.RootCommandResult.Command.Options.Where(o => o.Recursive)))
        {
            byName.TryAdd(option.Name, option);
            foreach (string alias in option.Aliases) byName.TryAdd(alias, option);
        }
        // A component the command line picks replaces the file's: the file's options for another of that kind no longer apply.
        var replaced = command is IChoosesComponents chooses
            ? chooses.Chosen(parsed).SelectMany(c => c.Others ?? new HashSet<Option>()).ToHashSet()
            : [];
        var added = new List<string>(args);
        var kept = new List<ConfigSetting>();
        var seen = new HashSet<Option>();
        foreach (var setting in settings)
        {
            if (!byName.TryGetValue(setting.Flag, out var option) || option.Name == OptionName || option.Name is "--help" or "--version")
                throw new AntidoteException($"{setting.Where}: '{setting.Key}' is not a setting of `antidote {command.Name}` " +
                                            "(keys are its flags without dashes; a component's options go under its name, listed by `antidote list NAME`)");
            if (!seen.Add(option))
                throw new AntidoteException($"{setting.Where}: '{setting.Key}' sets {option.Name} a second time");
            if (parsed.GetResult(option) is { Implicit: false } || replaced.Contains(option)) continue; // the command line wins
            if (option is Option<bool> && setting.Value is not ("true" or "false"))
                throw new AntidoteException($"{setting.Where}: '{setting.Key}' is '{setting.Value}', expected true or false");
            added.Add(option.Name);
            added.Add(setting.Value);
            kept.Add(setting with { Flag = option.Name });
        }
        FromFile = kept;
        return [.. added];
    }

    /// <summary>An error message with, where it names a flag a file set, the file, line, key and value that set it.</summary>
    public static string Explain(string message)
    {
        foreach (var setting in FromFile)
        {
            int at = message.IndexOf(setting.Flag, StringComparison.Ordinal);
            while (at >= 0)
            {
                int end = at + setting.Flag.Length;
                if (end == message.Length || !(char.IsLetterOrDigit(message[end]) || message[end] == '-'))
                    return $"{message} (set in {setting.Where} by '{setting.Key}: {setting.Value}')";
                at = message.IndexOf(setting.Flag, end, StringComparison.Ordinal);
            }
        }
        return message;
    }
}
