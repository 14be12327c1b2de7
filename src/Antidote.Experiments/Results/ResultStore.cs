using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Antidote.Core;
using Antidote.Experiments.Runs;
using Antidote.Training;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Antidote.Experiments.Results;

/// <summary>One run as the store holds it (what <c>antidote results</c> tabulates).</summary>
public sealed record StoredRun(
    string Folder, string Kind, string Dataset, string Model, string Attack, string? Method, string? Variant, long Seed,
    int? CleanSamples, double? AccuracyBefore, double? AsrBefore, double Accuracy, double Asr, double RobustAccuracy, double? Der,
    double Seconds);

/// <summary>
/// The results database: every finished run's settings (its config.json), final metrics and per-epoch metrics, one row per
/// run folder (a run written again replaces its row). SQLite by default, one file beside the runs; PostgreSQL when given a
/// connection string; the same SQL and schema for both. Each run is written in one transaction, so processes writing at
/// once (sweep shards) lose nothing: SQLite serialises them through its lock (WAL, waiting up to a minute), PostgreSQL
/// through the row's primary key.
/// </summary>
public sealed class ResultStore : IResultSink, IDisposable
{
    public const string DefaultFile = "results.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS runs (
            folder TEXT PRIMARY KEY, kind TEXT NOT NULL, dataset TEXT NOT NULL, model TEXT NOT NULL, attack TEXT NOT NULL,
            method TEXT, variant TEXT, model_label TEXT, attack_label TEXT, seed BIGINT NOT NULL, clean_samples INTEGER,
            clean_ratio DOUBLE PRECISION, options_hash TEXT NOT NULL, config TEXT, tags TEXT,
            acc_before DOUBLE PRECISION, asr_before DOUBLE PRECISION, ra_before DOUBLE PRECISION,
            acc DOUBLE PRECISION NOT NULL, asr DOUBLE PRECISION NOT NULL, ra DOUBLE PRECISION NOT NULL, der DOUBLE PRECISION,
            epochs INTEGER, seconds DOUBLE PRECISION NOT NULL, finished_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS epoch_metrics (
            folder TEXT NOT NULL, epoch INTEGER NOT NULL, name TEXT NOT NULL, value DOUBLE PRECISION,
            PRIMARY KEY (folder, epoch, name));
        """;

    private readonly Func<DbConnection> _connect;
    private readonly string _runsFolder;

    private ResultStore(Func<DbConnection> connect, string runsFolder, string describe)
    {
        _connect = connect;
        _runsFolder = runsFolder;
        Describe = describe;
        Guard(() =>
        {
            using var connection = Open();
            // WAL is a property of the SQLite file: set once, every later connection uses it.
            if (connection is SqliteConnection) Execute(connection, null, "PRAGMA journal_mode = WAL");
            using var transaction = connection.BeginTransaction();
            // PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a second process doing the same at the same
            // moment (sweep shards start together): hold a transaction-scoped advisory lock while creating the schema.
            if (connection is NpgsqlConnection) Execute(connection, transaction, "SELECT pg_advisory_xact_lock(730198501)");
            Execute(connection, transaction, Schema);
            transaction.Commit();
        });
    }

    /// <summary>What the store is, for logs (a path, or the PostgreSQL host and database; never a password).</summary>
    public string Describe { get; }

    /// <summary>The store <paramref name="target"/> names: null for results.db in <paramref name="runsFolder"/>, a PostgreSQL
    /// connection string ("Host=...;Database=..." or postgres://...), else a SQLite file.</summary>
    public static ResultStore Open(string? target, string runsFolder)
    {
        if (IsPostgres(target))
        {
            var builder = new NpgsqlConnectionStringBuilder(ToKeywords(target!));
            string connection = builder.ConnectionString;
            return new ResultStore(() => new NpgsqlConnection(connection), runsFolder, $"PostgreSQL {builder.Host}/{builder.Database}");
        }
        string file = Path.GetFullPath(target ?? Path.Combine(runsFolder, DefaultFile));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // No pooling: the file is closed when the store is (a test can delete it; another process sees every commit).
        string sqlite = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, DefaultTimeout = 60 }.ToString();
        return new ResultStore(() => new SqliteConnection(sqlite), runsFolder, file);
    }

    public static bool IsPostgres(string? target) =>
        target is not null && (target.StartsWith("postgres://", StringComparison.Ordinal) || target.StartsWith("postgresql://", StringComparison.Ordinal)
                               || target.Contains("Host=", StringComparison.OrdinalIgnoreCase));

    public void Add(ResultRow row) => Guard(() => Write(row));

    private void Write(ResultRow row)
    {
        string folder = Path.Combine(_runsFolder, row.Folder);
        string? config = File.Exists(Path.Combine(folder, RunFiles.Config)) ? File.ReadAllText(Path.Combine(folder, RunFiles.Config)) : null;
        var epochs = File.Exists(Path.Combine(folder, RunFiles.MetricsJson)) ? RunJson.Read<List<EpochRecord>>(Path.Combine(folder, RunFiles.MetricsJson)) : [];
        var run = row.Run;
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, """
            INSERT INTO runs (folder, kind, dataset, model, attack, method, variant, model_label, attack_label, seed, clean_samples,
                clean_ratio, options_hash, config, tags, acc_before, asr_before, ra_before, acc, asr, ra, der, epochs, seconds, finished_at)
            VALUES (@folder, @kind, @dataset, @model, @attack, @method, @variant, @model_label, @attack_label, @seed, @clean_samples,
                @clean_ratio, @options_hash, @config, @tags, @acc_before, @asr_before, @ra_before, @acc, @asr, @ra, @der, @epochs, @seconds, @finished_at)
            ON CONFLICT (folder) DO UPDATE SET kind = excluded.kind, dataset = excluded.dataset, model = excluded.model,
                attack = excluded.attack, method = excluded.method, variant = excluded.variant, model_label = excluded.model_label,
                attack_label = excluded.attack_label, seed = excluded.seed, clean_samples = excluded.clean_samples,
                clean_ratio = excluded.clean_ratio, options_hash = excluded.options_hash, config = excluded.config, tags = excluded.tags,
                acc_before = excluded.acc_before, asr_before = excluded.asr_before, ra_before = excluded.ra_before, acc = excluded.acc,
                asr = excluded.asr, ra = excluded.ra, der = excluded.der, epochs = excluded.epochs, seconds = excluded.seconds,
                finished_at = excluded.finished_at
            """,
            ("folder", row.Folder), ("kind", run.Kind), ("dataset", run.Dataset), ("model", run.Model), ("attack", run.Attack),
            ("method", run.Method), ("variant", Tag(run, "variant")), ("model_label", Tag(run, "model")), ("attack_label", Tag(run, "attack")),
            ("seed", run.Seed), ("clean_samples", row.CleanSamples), ("clean_ratio", run.CleanRatio), ("options_hash", run.OptionsHash),
            ("config", config), ("tags", run.Tags is null ? null : JsonSerializer.Serialize(run.Tags)),
            ("acc_before", row.Before?.Accuracy), ("asr_before", row.Before?.AttackSuccessRate), ("ra_before", row.Before?.RobustAccuracy),
            ("acc", row.After.Accuracy), ("asr", row.After.AttackSuccessRate), ("ra", row.After.RobustAccuracy),
            ("der", row.DefenseEffectiveness), ("epochs", row.Epochs), ("seconds", row.Seconds),
            ("finished_at", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        Execute(connection, transaction, "DELETE FROM epoch_metrics WHERE folder = @folder", ("folder", row.Folder));
        foreach (var epoch in epochs)
        {
            var values = new Dictionary<string, double>(epoch.Values) { ["loss"] = epoch.Loss, ["lr"] = epoch.LearningRate, ["seconds"] = epoch.Seconds };
            foreach (var (name, value) in values)
                Execute(connection, transaction, "INSERT INTO epoch_metrics (folder, epoch, name, value) VALUES (@folder, @epoch, @name, @value)",
                    ("folder", row.Folder), ("epoch", epoch.Epoch), ("name", name), ("value", double.IsFinite(value) ? value : null));
        }
        transaction.Commit();
    }

    /// <summary>Every run in the store, in folder order.</summary>
    public IReadOnlyList<StoredRun> Runs()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT folder, kind, dataset, COALESCE(model_label, model), COALESCE(attack_label, attack), method, variant, seed, clean_samples,
                   acc_before, asr_before, acc, asr, ra, der, seconds
            FROM runs ORDER BY folder
            """;
        using var reader = command.ExecuteReader();
        var runs = new List<StoredRun>();
        while (reader.Read())
            runs.Add(new StoredRun(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Text(reader, 5), Text(reader, 6), reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetInt32(8), Number(reader, 9),
                Number(reader, 10), reader.GetDouble(11), reader.GetDouble(12), reader.GetDouble(13), Number(reader, 14), reader.GetDouble(15)));
        return runs;
    }

    /// <summary>(epoch, value) of one metric of one run, in epoch order.</summary>
    public IReadOnlyList<(int Epoch, double Value)> EpochMetric(string folder, string name)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT epoch, value FROM epoch_metrics WHERE folder = @folder AND name = @name AND value IS NOT NULL ORDER BY epoch";
        Parameter(command, "folder", folder);
        Parameter(command, "name", name);
        using var reader = command.ExecuteReader();
        var values = new List<(int, double)>();
        while (reader.Read()) values.Add((reader.GetInt32(0), reader.GetDouble(1)));
        return values;
    }

    public void Dispose() { }

    /// <summary>A database that refuses a statement (full disk, lost server, permissions) is the environment, not a bug:
    /// one line naming the store.</summary>
    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (DbException e)
        {
            throw new AntidoteException($"results store {Describe}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private DbConnection Open()
    {
        var connection = _connect();
        try
        {
            connection.Open();
            return connection;
        }
        catch (DbException e)
        {
            connection.Dispose();
            throw new AntidoteException($"results store {Describe}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private static void Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Parameter(command, name, value);
        command.ExecuteNonQuery();
    }

    private static void Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static double? Number(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);

    private static string? Tag(RunRecord run, string key) => run.Tags is not null && run.Tags.TryGetValue(key, out var value) ? value : null;

    /// <summary>A postgres:// URL as Npgsql's keywords (Npgsql reads only the keyword form).</summary>
    private static string ToKeywords(string target)
    {
        if (!target.StartsWith("postgres", StringComparison.Ordinal) || !target.Contains("://", StringComparison.Ordinal)) return target;
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri))
            throw new AntidoteException($"results store: '{target}' is not a postgres://user:password@host:port/database URL");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = uri.AbsolutePath.Trim('/') };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Split(':', 2) is [var user, ..] && user.Length > 0) builder.Username = Uri.UnescapeDataString(user);
        if (uri.UserInfo.Split(':', 2) is [_, var password]) builder.Password = Uri.UnescapeDataString(password);
        return builder.ConnectionString;
    }
}
