using System.CommandLine;
using Antidote.Attacks;
using Antidote.Cli.Options;
using Antidote.Core;
using Antidote.Core.Registries;
using Antidote.Data;
using Antidote.Defenses;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote list [NAME]`: every registered dataset, model, attack and defense with a line each, or one component
/// with its source and every option, its default and what it means.</summary>
public sealed class ListCommand : Command
{
    private readonly Argument<string?> _name = new("NAME") { Description = "A model, attack or defense whose options to show", Arity = ArgumentArity.ZeroOrOne };

    public ListCommand() : base("list", "List the registered datasets, models, attacks and defenses; `list NAME` shows one's options")
    {
        Arguments.Add(_name);
        SetAction(result => Cli.Run(() =>
        {
            if (result.GetValue(_name) is string name)
            {
                var found = Find(name, ModelCatalog.Default).Concat(Find(name, AttackCatalog.Default)).Concat(Find(name, DefenseCatalog.Default)).ToList();
                if (found.Count == 0)
                {
                    if (DatasetCatalog.Default.Contains(name))
                    {
                        var dataset = DatasetCatalog.Default.Get(name);
                        Console.WriteLine($"dataset {dataset.Name}: {dataset.Summary}\n  source: {dataset.Source}\n  no options (--data names its folder)");
                        return 0;
                    }
                    throw new AntidoteException($"unknown component '{name}'; `antidote list` shows every name");
                }
                for (int i = 0; i < found.Count; i++)
                {
                    if (i > 0) Console.WriteLine();
                    ComponentHelp.Print(Console.Out, found[i]);
                }
                return 0;
            }
            Print("datasets", DatasetCatalog.Default);
            Print("models", ModelCatalog.Default);
            Print("attacks", AttackCatalog.Default);
            Print("defenses", DefenseCatalog.Default);
            Console.WriteLine("\n`antidote list NAME` shows a component's options.");
            return 0;
        }));
    }

    private static IEnumerable<ChosenComponent> Find<T>(string name, Registry<T> registry) where T : IComponentEntry
    {
        if (!registry.Contains(name)) yield break;
        var entry = registry.Get(name);
        yield return new ChosenComponent(registry.Kind, entry, new ComponentOptionsBinder(entry.Name, entry.OptionsType));
    }

    private static void Print<T>(string title, Registry<T> registry) where T : IRegistryEntry
    {
        Console.WriteLine($"{title}:");
        int width = registry.Entries.Max(e => e.Name.Length);
        foreach (var e in registry.Entries)
            Console.WriteLine($"  {e.Name.PadRight(width)}  {e.Summary}");
    }
}
