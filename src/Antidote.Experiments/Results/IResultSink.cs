namespace Antidote.Experiments.Results;

/// <summary>Where finished runs' results go: files in the output folder today (<see cref="ResultFiles"/>), a database later.</summary>
public interface IResultSink
{
    void Add(ResultRow row);
}
