using Antidote.Core;
using Antidote.Core.Options;

namespace Antidote.Models;

/// <summary>What it takes to build a model: the architecture's options record (which names it) and the data's shape.</summary>
public sealed record ModelSpec(IModelOptions Options, int InChannels, int Classes, int ImageHeight, int ImageWidth)
{
    /// <summary>Bounds that no real image classifier reaches; past them a spec is damaged, and building it would ask
    /// libtorch for gigabytes before anything said no.</summary>
    public const int MaxChannels = 16, MaxClasses = 100_000, MaxSide = 4096, MaxWidth = 1024;

    /// <summary>The registered architecture's name.</summary>
    public string Name => ModelCatalog.NameOf(Options);

    /// <summary>Throws a one-line error when a number is out of range (a damaged or hand-edited model card).</summary>
    public void Validate()
    {
        static void Check(string what, int value, int min, int max)
        {
            if (value < min || value > max)
                throw new AntidoteException($"model spec: {what} must be in [{min}, {max}], got {value}");
        }
        Check("input channels", InChannels, 1, MaxChannels);
        Check("classes", Classes, 2, MaxClasses);
        Check("image height", ImageHeight, 1, MaxSide);
        Check("image width", ImageWidth, 1, MaxSide);
        try
        {
            Options.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw new AntidoteException($"model spec: {Name} {e.Message}", e);
        }
    }

    /// <summary>A width check for architectures that have one.</summary>
    public static void CheckWidth(string field, int width) => OptionCheck.InRange(field, width, 1, MaxWidth);
}
