using Antidote.Core.Registries;

namespace Antidote.Models;

/// <summary>A registered architecture: its name, a line about it, the width it defaults to, and its factory.</summary>
public sealed record ModelEntry(string Name, string Summary, string Source, int DefaultWidth, Func<ModelSpec, ImageClassifier> Create)
    : IRegistryEntry;
