using System.Globalization;
using Antidote.Core.Options;

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

    /// <summary>Every field of an options record as its flag (a field left null keeps its default).</summary>
    public RunFolderSettings AddAll(ComponentOptionsBinder binder, IComponentOptions options)
    {
        foreach (var (key, value) in binder.Values(options))
            Add(binder.Prefix.Length == 0 ? $"--{key}" : $"--{binder.Prefix}-{key}", value);
        return this;
    }
}
