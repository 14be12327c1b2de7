namespace Antidote.Training;

/// <summary>One epoch's numbers: mean loss, learning rate used, wall time, and named extras (ACC, ASR, distance…).</summary>
public sealed record EpochRecord(int Epoch, double Loss, double LearningRate, double Seconds, Dictionary<string, double> Values);
