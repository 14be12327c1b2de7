namespace Antidote.Models;

/// <summary>What it takes to build a model: its registered name, the data's shape, and a width.</summary>
/// <param name="Width">Channels of the first stage (PreAct-ResNet18: 64 is the standard network).</param>
public sealed record ModelSpec(string Name, int InChannels, int Classes, int ImageHeight, int ImageWidth, int Width);
