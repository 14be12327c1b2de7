namespace Antidote.Attacks;

/// <summary>Which split a row index refers to (sample-specific triggers are looked up by row).</summary>
public enum DataSplit
{
    Train,
    Test,
}
