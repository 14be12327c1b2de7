using System.CommandLine;
using Antidote.Cli.Terminal;
using Antidote.Reports;

namespace Antidote.Cli.Commands;

/// <summary>`antidote report`: one HTML page (and Markdown) with the table and the figures of a sweep.</summary>
public sealed class ReportCommand : Command
{
    private readonly Argument<string> _folder = new("FOLDER") { Description = "The sweep folder (its run folders and results.db)" };
    private readonly Option<string?> _to = CommonOptions.To();
    private readonly Option<string?> _store = CommonOptions.Store();
    private readonly Option<int> _pathImages = new("--path-images") { Description = "Test images evaluated at each point of the loss-along-the-line figure", DefaultValueFactory = _ => 1000 };
    private readonly Option<string?> _data = CommonOptions.Data();

    public ReportCommand() : base("report", "Write one self-contained HTML page (and Markdown beside it) about a sweep: the attack x defense table, " +
        "ACC-vs-ASR of every defense run, ACC/ASR per epoch (sweeps run with --eval-every), D3's distance and λ, the loss along the line " +
        "from the backdoored model to FT's and D3's, and each trigger (default page: FOLDER/report.html)")
    {
        Arguments.Add(_folder);
        foreach (var option in new Option[] { _to, _store, _pathImages, _data }) Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            string folder = r.GetValue(_folder)!;
            CommonOptions.Positive("--path-images", r.GetValue(_pathImages));
            var settings = new ReportSettings(folder, r.GetValue(_to) ?? Path.Combine(folder, "report.html"), r.GetValue(_data), r.GetValue(_pathImages), r.GetValue(_store));
            var figures = SweepReportPage.Write(settings, new ConsoleRunLog());
            Console.WriteLine($"{figures.Count} figures -> {settings.Output} (and {Path.ChangeExtension(settings.Output, ".md")})");
            return 0;
        }));
    }
}
