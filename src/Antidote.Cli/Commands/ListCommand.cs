using System.CommandLine;
using Antidote.Attacks;
using Antidote.Core.Registries;
using Antidote.Data;
using Antidote.Defenses;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote list`: every registered dataset, model, attack and defense with a line each.</summary>
public sealed class ListCommand : Command
{
    public ListCommand() : base("list", "List the registered datasets, models, attacks and defenses")
    {
        SetAction(_ =>
        {
            Print("datasets", DatasetCatalog.Default);
            Print("models", ModelCatalog.Default);
            Print("attacks", AttackCatalog.Default);
            Print("defenses", DefenseCatalog.Default);
            return 0;
        });
    }

    private static void Print<T>(string title, Registry<T> registry) where T : IRegistryEntry
    {
        Console.WriteLine($"{title}:");
        int width = registry.Entries.Max(e => e.Name.Length);
        foreach (var e in registry.Entries)
            Console.WriteLine($"  {e.Name.PadRight(width)}  {e.Summary}");
    }
}
