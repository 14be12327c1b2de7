using System.CommandLine;
using Antidote.Attacks;
using Antidote.Cli.Options;
using Antidote.Cli.Terminal;
using Antidote.Core;
using Antidote.Experiments.Gallery;
using Antidote.Models;

namespace Antidote.Cli.Commands;

/// <summary>`antidote show-attack`: what an attack does to an image, as a PNG grid.</summary>
public sealed class ShowAttackCommand : Command, IChoosesComponents
{
    private readonly Argument<string?> _attack = new("attack") { Description = "Attack name (see `antidote list`); omit with --run", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string> _run = CommonOptions.Run(required: false);
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly ComponentOptionsBinder _poisoning = new("", typeof(AttackSettings));
    private readonly RegistryOptions<AttackEntry> _attacks = new(AttackCatalog.Default);
    private readonly RegistryOptions<ModelEntry> _models = new(ModelCatalog.Default);
    private readonly Option<int> _images = new("--images") { Description = "Test images shown, one per row", DefaultValueFactory = _ => 4 };
    private readonly Option<string?> _outFile = new("--png") { Description = "PNG file to write (default: show-{attack}.png)" };
    private readonly Option<long> _seed = CommonOptions.Seed();
    private readonly Option<string?> _data = CommonOptions.Data();

    public ShowAttackCommand() : base("show-attack", "Draw what an attack does: a PNG with one test image per row and three columns, " +
        "clean | poisoned | the difference magnified until its largest value is white. A fresh attack is made from its options and --seed " +
        "(a model is trained only by attacks that need one); --run shows the trigger a run planted")
    {
        Arguments.Add(_attack);
        foreach (var option in new Option[] { _run, _dataset, _model }.Concat(_poisoning.Options).Concat(_attacks.All).Concat(_models.All)
                     .Concat([_images, _outFile, _seed, _data]))
            Options.Add(option);
        SetAction(r => Cli.Run(() =>
        {
            var settings = BuildSettings(r);
            AttackGallery.Write(settings, new ConsoleRunLog());
            return 0;
        }));
    }

    public IEnumerable<ChosenComponent> Chosen(ParseResult r) =>
        new[] { _attacks.Chosen(r.GetValue(_attack)), _models.Chosen(r, _model) }.OfType<ChosenComponent>();

    internal GallerySettings BuildSettings(ParseResult r)
    {
        string? name = r.GetValue(_attack), run = r.GetValue(_run);
        if ((name is null) == (run is null)) throw new AntidoteException("show-attack takes an attack name or --run DIR (one of the two)");
        if (run is not null && _attacks.All.Any(o => r.GetResult(o) is { Implicit: false }))
            throw new AntidoteException("--run shows the run's own attack: its options come from the run folder");
        var entry = name is null ? null : AttackCatalog.Default.Get(name);
        var settings = (AttackSettings)_poisoning.Bind(r);
        if (entry is not null) CommonOptions.LabelModeSupported(entry, settings);
        CommonOptions.Positive("--images", r.GetValue(_images));
        string output = Path.GetFullPath(r.GetValue(_outFile) ?? $"show-{name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(run!))}.png");
        if (!output.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new AntidoteException($"--png {output}: the grid is written as a .png");
        return new GallerySettings(run, entry is null ? null : (IAttackOptions)_attacks.Bind(r, entry.Name), settings,
            (IModelOptions)_models.Bind(r, r.GetValue(_model)!), r.GetValue(_dataset)!, r.GetValue(_data), r.GetValue(_images), r.GetValue(_seed), output);
    }
}
