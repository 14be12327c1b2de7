using Antidote.Core.Options;
using Antidote.Core.Registries;

namespace Antidote.Attacks;

/// <summary>A registered attack: its name, a line about it, its source, whether it can relabel all-to-all, its options
/// record and its factory.</summary>
public sealed record AttackEntry(string Name, string Summary, string Source, bool SupportsAllToAll, Type OptionsType, Func<AttackRequest, IAttack> Create)
    : IComponentEntry
{
    /// <summary>An entry whose factory takes the request and its own options record.</summary>
    /// <param name="smoke">Options a unit test can use offline and fast.</param>
    public static AttackEntry Of<TOptions>(string name, string summary, string source, bool supportsAllToAll, TOptions smoke, Func<AttackRequest, TOptions, IAttack> create)
        where TOptions : IAttackOptions =>
        new(name, summary, source, supportsAllToAll, typeof(TOptions), request => create(request, (TOptions)request.Options)) { SmokeOptions = smoke };

    public IComponentOptions SmokeOptions { get; init; } = null!;

    /// <summary>What of the trigger only the attacker has (a warping grid drawn at attack time, a trained generator); null when
    /// a defender who suspects the attack can make its trigger from the options (`detox --suspected-attack`).</summary>
    public string? SecretTrigger { get; init; }

    /// <summary>False for an attack that only replays what another tool recorded (`antidote import`): it cannot be planted.</summary>
    public bool Plantable { get; init; } = true;

    /// <summary>True when training under this attack runs in bfloat16 (<c>--precision bf16</c>): its poisoning is plain data or
    /// per-batch, with no trained trigger or clean model of its own (those steps were not checked in bfloat16).</summary>
    public bool SupportsBFloat16 { get; init; }

    public IAttackOptions DefaultOptions => (IAttackOptions)((IComponentEntry)this).DefaultOptions();
}
