using System.CommandLine;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Core.Registries;

namespace Antidote.Cli.Options;

/// <summary>
/// The flags of every entry of a registry (each entry's options record, prefixed with its name: --d3-epsilon, --ft-epochs,
/// --sig-delta), for a command where the user picks one entry by name. Flags of an entry that was not picked are refused.
/// They are parsed but hidden from a command's --help, which would otherwise list every option of every component; they
/// are shown by `antidote list NAME` and by --help after the entry is picked (<see cref="ComponentHelpAction"/>).
/// </summary>
public sealed class RegistryOptions<TEntry> where TEntry : IComponentEntry
{
    private readonly Registry<TEntry> _registry;
    private readonly Dictionary<string, ComponentOptionsBinder> _binders;

    public RegistryOptions(Registry<TEntry> registry)
    {
        _registry = registry;
        _binders = registry.Entries.ToDictionary(e => e.Name, e => new ComponentOptionsBinder(e.Name, e.OptionsType), StringComparer.OrdinalIgnoreCase);
        foreach (var option in All) option.Hidden = true;
    }

    public string Kind => _registry.Kind;

    /// <summary>The entry named by <paramref name="picker"/>'s value if the user gave it (and it is a known name), for help.</summary>
    public ChosenComponent? Chosen(ParseResult result, Option picker) =>
        result.GetResult(picker) is { Implicit: false } given ? Chosen(given.GetValueOrDefault<string?>()) : null;

    /// <summary>The entry of that name, if there is one.</summary>
    public ChosenComponent? Chosen(string? name) =>
        name is not null && _registry.Contains(name)
            ? new ChosenComponent(_registry.Kind, _registry.Get(name), For(name),
                _binders.Where(b => b.Key != _registry.Get(name).Name).SelectMany(b => b.Value.Options).ToHashSet())
            : null;

    public IEnumerable<Option> All => _binders.Values.SelectMany(b => b.Options);

    public ComponentOptionsBinder For(string name) => _binders[_registry.Get(name).Name];

    /// <summary>The picked entry's options from the command line (starting from <paramref name="start"/>, else its defaults).</summary>
    public IComponentOptions Bind(ParseResult result, string picked, IComponentOptions? start = null)
    {
        var entry = _registry.Get(picked);
        foreach (var (name, binder) in _binders)
        {
            if (name == entry.Name) continue;
            if (binder.Given(result) is [var flag, ..])
                throw new AntidoteException($"{flag} is an option of {_registry.Kind} {name}, not of {entry.Name}");
        }
        return _binders[entry.Name].Bind(result, start);
    }

    /// <summary>An entry with "field=value" modifiers: "NAME[+FIELD=VALUE...]" (e.g. d3+lambda-mode=fixed+lambda=10).</summary>
    public IComponentOptions Parse(string text, string where)
    {
        string[] parts = text.Split('+');
        var entry = _registry.Get(parts[0]);
        var binder = _binders[entry.Name];
        return binder.Apply(binder.Defaults, parts[1..], $"{where} '{text}'");
    }
}
