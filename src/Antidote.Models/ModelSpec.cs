using Antidote.Core;

namespace Antidote.Models;

/// <summary>What it takes to build a model: its registered name, the data's shape, and a width.</summary>
/// <param name="Width">Channels of the first stage (PreAct-ResNet18: 64 is the standard network).</param>
public sealed record ModelSpec(string Name, int InChannels, int Classes, int ImageHeight, int ImageWidth, int Width)
{
    /// <summary>Bounds that no real image classifier reaches; past them a spec is damaged, and building it would ask
    /// libtorch for gigabytes before anything said no.</summary>
    public const int MaxChannels = 16, MaxClasses = 100_000, MaxSide = 4096, MaxWidth = 1024;

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
        Check("width", Width, 1, MaxWidth);
    }
}
