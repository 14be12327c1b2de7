using System.Globalization;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Experiments.Runs;

namespace Antidote.Cli.Options;

/// <summary>A run folder's config.json spelled as the flags that would make it again (`--config RUN_FOLDER`).</summary>
public sealed class RunFolderSettings(string configFile)
{
    private readonly List<ConfigSetting> _all = [];

    public IReadOnlyList<ConfigSetting> All => _all;

    public RunFolderSettings Add(string flag, object? value)
    {
        if (value is null) return this;
        string text = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString()!;
        _all.Add(new ConfigSetting(flag, text, configFile, flag[2..]));
        return this;
    }

    /// <summary>
    /// Refuses a run folder whose config.json, read by this build, defines another run than the one it recorded: a default
    /// changed since the run was made (a field the file does not name now reads as the new default) or the file was edited.
    /// Rerunning it would silently run other settings under the old run's name.
    /// </summary>
    public static void RefuseIfReadDifferently(string runFolder, string hashReadToday)
    {
        if (RunRecord.TryRead(runFolder) is { } recorded && recorded.OptionsHash != hashReadToday)
            throw new AntidoteException($"{runFolder}: its {RunFiles.Config} reads today as other settings than the run it recorded " +
                                        $"(run hash {recorded.OptionsHash}, read back {hashReadToday}): made by an earlier Antidote whose " +
                                        "defaults differ, or edited; give its settings as flags instead");
    }

    /// <summary>Every field of an options record as its flag (a field left null keeps its default).</summary>
    public RunFolderSettings AddAll(ComponentOptionsBinder binder, IComponentOptions options)
    {
        foreach (var (key, value) in binder.Values(options))
            Add(binder.Prefix.Length == 0 ? $"--{key}" : $"--{binder.Prefix}-{key}", value);
        return this;
    }
}
