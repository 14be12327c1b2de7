using System.CommandLine;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Experiments.Results;

namespace Antidote.Cli.Commands;

/// <summary>`antidote results`: the paper's pivot (attack × defense, ACC / ASR / DER over seeds) from a results store.</summary>
public sealed class ResultsCommand : Command
{
    private readonly Argument<string> _store = new("STORE") { Description = "A sweep folder (its results.db), a SQLite file, or a PostgreSQL connection string" };
    private readonly Option<string> _format = new("--format") { Description = "md, csv or json", DefaultValueFactory = _ => "md" };
    private readonly Option<string?> _columns = new("--columns") { Description = "Comma-separated defense columns to show, in this order (e.g. ft,fp,nad,nc,anp,i-bau,ft-sam,sau,fst,d3); default: every defense in the store, alphabetically" };
    private readonly Option<bool> _seconds = new("--seconds") { Description = "Markdown: give each defense cell its runs' mean wall time (csv and json always have it)" };
    private readonly Option<string?> _out = CommonOptions.To();

    public ResultsCommand() : base("results", "Print or export the table of a results store: rows model × attack × clean-set size, a column per defense, cells ACC / ASR / DER mean±sd over seeds")
    {
        Arguments.Add(_store);
        _format.AcceptOnlyFromAmong("md", "csv", "json");
        Options.Add(_format);
        Options.Add(_columns);
        Options.Add(_seconds);
        Options.Add(_out);
        SetAction(r => Cli.Run(() =>
        {
            string target = r.GetValue(_store)!;
            if (!ResultStore.IsPostgres(target))
            {
                if (Directory.Exists(target)) target = Path.Combine(target, ResultStore.DefaultFile);
                if (!File.Exists(target)) throw new AntidoteException($"no results store at {target}");
            }
            using var store = ResultStore.Open(target, Path.GetDirectoryName(Path.GetFullPath(target)) ?? ".");
            var columns = r.GetValue(_columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var pivot = new ResultsPivot(store.Runs(), columns);
            string text = r.GetValue(_format) switch { "csv" => pivot.Csv(), "json" => pivot.Json(), _ => pivot.Markdown(r.GetValue(_seconds)) };
            if (r.GetValue(_out) is string file) AtomicFile.WriteAllText(file, text);
            else Console.Write(text);
            return 0;
        }));
    }
}
