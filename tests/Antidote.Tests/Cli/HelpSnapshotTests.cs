using System.CommandLine;
using System.Text.RegularExpressions;
using Antidote.Attacks;
using Antidote.Defenses;
using Antidote.Models;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Cli;

/// <summary>
/// Every command's --help, compared with the snapshot in Cli/Snapshots (whitespace-insensitive, so the terminal's width does
/// not matter): a change to a command's own options shows up in review. The flags generated from a registered component's
/// options record (--d3-*, --blended-*, --small-cnn-*) are left out of the snapshot, so adding an attack, defense or model
/// does not touch it; ComponentOptionsTests checks those records. ANTIDOTE_UPDATE_SNAPSHOTS=1 rewrites the snapshots.
/// </summary>
public class HelpSnapshotTests
{
    public static TheoryData<string> Commands() => new(Antidote.Cli.Cli.Build().Subcommands.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_matches_its_snapshot(string command)
    {
        var (exit, fullHelp, _) = ConsoleCapture.Run(command, "--help");
        Assert.Equal(0, exit);
        string help = WithoutComponentFlags(fullHelp);
        string path = Path.Combine(SourceFolder(), "Cli", "Snapshots", $"{command}.txt");
        if (Environment.GetEnvironmentVariable("ANTIDOTE_UPDATE_SNAPSHOTS") == "1")
            File.WriteAllText(path, help);
        Assert.True(File.Exists(path), $"no snapshot {path}; run the tests with ANTIDOTE_UPDATE_SNAPSHOTS=1 to write it");
        Assert.Equal(Normalised(File.ReadAllText(path)), Normalised(help));
    }

    /// <summary>An option that several commands take is declared once: the same name means the same description and default.</summary>
    [Fact]
    public void No_option_is_declared_twice_across_commands()
    {
        var byName = Antidote.Cli.Cli.Build().Subcommands
            .SelectMany(c => c.Options.Select(o => (Command: c.Name, Option: o)))
            .GroupBy(x => x.Option.Name);
        foreach (var group in byName)
        {
            var descriptions = group.Select(x => x.Option.Description).Distinct().ToList();
            Assert.True(descriptions.Count == 1, $"{group.Key} is declared differently in {string.Join(", ", group.Select(x => x.Command))}: {string.Join(" | ", descriptions)}");
        }
        foreach (var command in Antidote.Cli.Cli.Build().Subcommands)
            Assert.Equal(command.Options.Count, command.Options.Select(o => o.Name).Distinct().Count());
    }

    private static string WithoutComponentFlags(string help)
    {
        var prefixes = AttackCatalog.Default.Names.Concat(DefenseCatalog.Default.Names).Concat(ModelCatalog.Default.Names).Select(n => $"--{n}-").ToList();
        return string.Join("\n", help.Split('\n').Where(line => !prefixes.Any(p => line.TrimStart().StartsWith(p, StringComparison.Ordinal))));
    }

    private static string Normalised(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(file))!;
}
