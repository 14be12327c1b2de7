using Antidote.Core.Options;

namespace Antidote.Attacks;

/// <summary>The options record of an attack's trigger (see <see cref="IComponentOptions"/>).</summary>
public interface IAttackOptions : IComponentOptions;
