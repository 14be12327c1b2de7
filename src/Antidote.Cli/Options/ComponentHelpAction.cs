using System.CommandLine;
using System.CommandLine.Invocation;
using Antidote.Core.Registries;

namespace Antidote.Cli.Options;

/// <summary>An attack, model or defense a command line picked, with the binder of its options.</summary>
/// <param name="Others">The options of the other entries of its kind (a settings file's options for the attack the command
/// line replaced are dropped).</param>
public sealed record ChosenComponent(string Kind, IComponentEntry Entry, ComponentOptionsBinder Binder, IReadOnlySet<Option>? Others = null);

/// <summary>A command whose components are picked by name (--attack, --model, --method).</summary>
public interface IChoosesComponents
{
    /// <summary>The components the user named on this command line.</summary>
    IEnumerable<ChosenComponent> Chosen(ParseResult result);
}

/// <summary>
/// --help as System.CommandLine prints it, followed by the options of each component the command line named
/// (`antidote attack --attack blended --help`): a command's own help stays one screen however many components exist.
/// </summary>
public sealed class ComponentHelpAction(SynchronousCommandLineAction standard) : SynchronousCommandLineAction
{
    // As the standard help: asking for help is not an error even when required options are missing.
    public override bool ClearsParseErrors => standard.ClearsParseErrors;

    public override int Invoke(ParseResult parseResult)
    {
        int code = standard.Invoke(parseResult);
        if (parseResult.CommandResult.Command is not IChoosesComponents command) return code;
        var chosen = command.Chosen(parseResult).ToList();
        if (chosen.Count == 0)
            Console.WriteLine("Each component's own options: `antidote list NAME`, or name it before --help (--attack blended --help).");
        foreach (var component in chosen)
        {
            Console.WriteLine();
            ComponentHelp.Print(Console.Out, component);
        }
        return code;
    }
}

/// <summary>One component's options as `antidote list NAME` and --help show them.</summary>
public static class ComponentHelp
{
    public static void Print(TextWriter output, ChosenComponent component)
    {
        var (kind, entry, binder, _) = component;
        output.WriteLine($"{kind} {entry.Name}: {entry.Summary}");
        output.WriteLine($"  source: {entry.Source}");
        var fields = binder.Help();
        if (fields.Count == 0)
        {
            output.WriteLine("  no options");
            return;
        }
        output.WriteLine($"  options (a flag; in a sweep or YAML file the key: {entry.Name}+KEY=VALUE, or KEY under '{entry.Name}:'):");
        int width = fields.Max(f => f.Flag.Length + f.ValueName.Length + 3);
        foreach (var field in fields)
        {
            string left = $"{field.Flag} <{field.ValueName}>".PadRight(width);
            string shown = field.Default is null ? "" : $" [default: {field.Default}]";
            output.WriteLine($"  {left}  {field.Description}{shown}");
        }
    }
}
