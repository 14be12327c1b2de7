namespace Antidote.Core.Registries;

/// <summary>
/// An explicit name → entry table. Registering a name twice is a programming error; looking up an unknown
/// name is a user error that lists the known names.
/// </summary>
public sealed class Registry<TEntry> where TEntry : IRegistryEntry
{
    private readonly Dictionary<string, TEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<TEntry> _ordered = [];

    public Registry(string kind) => Kind = kind;

    /// <summary>What the entries are ("model", "attack"), used in messages.</summary>
    public string Kind { get; }

    public IReadOnlyList<TEntry> Entries => _ordered;

    public IEnumerable<string> Names => _ordered.Select(e => e.Name);

    public Registry<TEntry> Register(TEntry entry)
    {
        if (!_entries.TryAdd(entry.Name, entry))
            throw new InvalidOperationException($"{Kind} '{entry.Name}' is registered twice");
        _ordered.Add(entry);
        return this;
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    public TEntry Get(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new AntidoteException($"unknown {Kind} '{name}'; known: {string.Join(", ", Names)}");
}
