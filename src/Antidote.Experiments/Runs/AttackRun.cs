using Antidote.Attacks;
using Antidote.Core;
using Antidote.Data;
using Antidote.Models;

namespace Antidote.Experiments.Runs;

/// <summary>A finished attack run folder, opened for defending or evaluating.</summary>
public sealed class AttackRun
{
    private AttackRun(string path, AttackRunConfig config, PoisonPlan plan, AttackSummary? summary)
    {
        Path = path;
        Config = config;
        Plan = plan;
        Summary = summary;
    }

    public string Path { get; }

    public AttackRunConfig Config { get; }

    public PoisonPlan Plan { get; }

    /// <summary>The trained model's test metrics, when the run folder has its summary.</summary>
    public AttackSummary? Summary { get; }

    public static AttackRun Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new AntidoteException($"attack run {full} not found");
        if (!File.Exists(System.IO.Path.Combine(full, RunFiles.Config)) && Imports.BackdoorBenchRecord.IsRecord(full))
            throw new AntidoteException($"{full} is a BackdoorBench record, not an Antidote run folder: import it first with `antidote import {full} --data DIR`");
        foreach (string file in new[] { RunFiles.Config, RunFiles.PoisonPlan, RunFiles.Weights, RunFiles.ModelCard })
            if (!File.Exists(System.IO.Path.Combine(full, file)))
                throw new AntidoteException($"{full} is not an attack run folder: {file} is missing");
        var config = RunJson.Read<AttackRunConfig>(System.IO.Path.Combine(full, RunFiles.Config));
        // Two records of one run must agree: a model card naming another architecture or dataset than the config is an
        // edited or mixed-up folder, and defending it would evaluate one model as another.
        var card = RunModel.ReadCard(full);
        if (card.Spec.Options is not { } cardModel || !cardModel.Equals(config.Model) || card.Dataset != config.Dataset)
            throw new AntidoteException($"{full}: {RunFiles.ModelCard} ({(card.Spec.Options is { } o ? ModelCatalog.NameOf(o) : "no model")} on {Printable.Escape(card.Dataset ?? "no dataset")}) " +
                                        $"and {RunFiles.Config} ({config.ModelName} on {Printable.Escape(config.Dataset)}) disagree; refused");
        return new AttackRun(full,
            config,
            RunJson.Read<PoisonPlan>(System.IO.Path.Combine(full, RunFiles.PoisonPlan)),
            File.Exists(System.IO.Path.Combine(full, RunFiles.Summary)) ? RunJson.Read<AttackSummary>(System.IO.Path.Combine(full, RunFiles.Summary)) : null);
    }

    /// <summary>The run's dataset, from <paramref name="dataDirectory"/> or else where the attack found it.</summary>
    public DatasetSplit LoadData(string? dataDirectory) =>
        DatasetCatalog.Load(DatasetCatalog.Default.Get(Config.Dataset), dataDirectory ?? Config.DataDirectory);

    /// <summary>Rebuilds the attack exactly as it was planted, from the artifacts it saved in the run folder (the caller
    /// disposes it).</summary>
    public IAttack CreateAttack(DatasetInfo dataset) => Rebuild(Config, dataset, Path);

    /// <summary>The attack of <paramref name="config"/> rebuilt from the artifacts in <paramref name="folder"/> (the caller
    /// disposes it).</summary>
    public static IAttack Rebuild(AttackRunConfig config, DatasetInfo dataset, string folder)
    {
        var attack = AttackCatalog.Default.Get(config.AttackName).Create(new AttackRequest(dataset, config.Settings, config.Attack));
        try
        {
            attack.LoadArtifacts(folder);
            return attack;
        }
        catch
        {
            attack.Dispose();
            throw;
        }
    }
}
