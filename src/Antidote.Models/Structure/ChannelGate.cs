using TorchSharp.Modules;

namespace Antidote.Models.Structure;

/// <summary>
/// Where the last convolutional stage meets the first Linear layer after it: channel c of that stage is input columns
/// [c·ColumnsPerChannel, (c+1)·ColumnsPerChannel) of <see cref="Linear"/> (1 column after global pooling, H·W after a flatten).
/// Zeroing those columns removes the channel from everything downstream while the parameter names and shapes stay as they
/// are (fine-pruning, as BackdoorBench masks the first Linear after the last stage).
/// </summary>
public sealed record ChannelGate(string LinearPath, Linear Linear, int Channels, int ColumnsPerChannel);
