using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Antidote.Experiments.Runs;

/// <summary>
/// What a run folder is, written as run.json in every run folder and read instead of its name: its kind, its parent run
/// (relative to this folder, so a tree of runs can be moved), the dataset, model, attack and defense by name, a hash of the
/// options that define it, the seed, and tags (a sweep's names for its model, attack and variant).
/// </summary>
/// <param name="Kind">"attack" or "defense".</param>
/// <param name="Parent">The run this one started from, relative to this run's folder (a defense's attack run); null for none.</param>
/// <param name="Method">The defense (defense runs).</param>
/// <param name="OptionsHash">SHA-256 (first 16 hex digits) of the config's defining part: equal hashes, same run.</param>
/// <param name="CleanRatio">The defender's clean fraction (defense runs).</param>
public sealed record RunRecord(
    string Kind,
    string? Parent,
    string Dataset,
    string Model,
    string Attack,
    string? Method,
    string OptionsHash,
    long Seed,
    double? CleanRatio = null,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    public const string AttackKind = "attack", DefenseKind = "defense";

    /// <summary>The hash of a record's JSON (a record: anonymous types have no settable properties, and JSON skips those).</summary>
    public static string Hash<T>(T definingPart)
    {
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(definingPart, RunJson.Options));
        return Convert.ToHexStringLower(SHA256.HashData(json))[..16];
    }

    /// <summary>The record of the run in <paramref name="runFolder"/>, or null when it has none (not a finished run).</summary>
    public static RunRecord? TryRead(string runFolder)
    {
        string path = Path.Combine(runFolder, RunFiles.Record);
        return File.Exists(path) ? RunJson.Read<RunRecord>(path) : null;
    }

    /// <summary>The parent run's folder, resolved against <paramref name="runFolder"/>.</summary>
    public string? ParentFolder(string runFolder) => Parent is null ? null : Path.GetFullPath(Path.Combine(runFolder, Parent));
}
