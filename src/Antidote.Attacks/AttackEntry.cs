using Antidote.Core.Registries;

namespace Antidote.Attacks;

/// <summary>A registered attack.</summary>
/// <param name="UsesTriggerImage">Whether it blends an image (from --trigger-image, or a fixed noise pattern).</param>
public sealed record AttackEntry(string Name, string Summary, string Source, bool UsesTriggerImage, bool SupportsAllToAll, Func<AttackRequest, IAttack> Create)
    : IRegistryEntry;
