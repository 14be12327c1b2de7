using System.Globalization;
using System.Text;
using Antidote.Core.IO;
using Antidote.Experiments.Runs;

namespace Antidote.Experiments.Results;

/// <summary>Keeps the rows in <c>results.json</c> and <c>results.csv</c> in a folder, rewritten (atomically) after each row;
/// a row for a run folder already listed replaces it. Each write rereads the file under a lock, so processes sharing the
/// folder (sweep shards) keep each other's rows.</summary>
public sealed class ResultFiles(string folder) : IResultSink
{
    public const string Json = "results.json", Csv = "results.csv";

    public IReadOnlyList<ResultRow> Rows => Read();

    public void Add(ResultRow row)
    {
        Directory.CreateDirectory(folder);
        using var held = FileLock.Acquire(Path.Combine(folder, ".results.lock"), CancellationToken.None);
        var rows = Read();
        rows.RemoveAll(r => r.Folder == row.Folder);
        rows.Add(row);
        RunJson.Write(Path.Combine(folder, Json), rows);
        AtomicFile.WriteAllText(Path.Combine(folder, Csv), Table(rows));
    }

    private List<ResultRow> Read() => File.Exists(Path.Combine(folder, Json)) ? RunJson.Read<List<ResultRow>>(Path.Combine(folder, Json)) : [];

    public static string Table(IEnumerable<ResultRow> rows)
    {
        var csv = new StringBuilder("folder,kind,dataset,model,attack,method,variant,seed,clean,acc_before,asr_before,ra_before,acc,asr,ra,der,epochs,seconds\n");
        static string F(double? v) => v is double x ? x.ToString("F4", CultureInfo.InvariantCulture) : "";
        foreach (var r in rows)
        {
            var run = r.Run;
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Folder},{run.Kind},{run.Dataset},{run.Model},{run.Attack},{run.Method},{Tag(run, "variant")},{run.Seed},{r.CleanSamples},{F(r.Before?.Accuracy)},{F(r.Before?.AttackSuccessRate)},{F(r.Before?.RobustAccuracy)}," +
                $"{F(r.After.Accuracy)},{F(r.After.AttackSuccessRate)},{F(r.After.RobustAccuracy)},{F(r.DefenseEffectiveness)},{r.Epochs},{r.Seconds:F1}"));
        }
        return csv.ToString();
    }

    private static string Tag(RunRecord run, string key) => run.Tags is not null && run.Tags.TryGetValue(key, out var value) ? value : "";
}
