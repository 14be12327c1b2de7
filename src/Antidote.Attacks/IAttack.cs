using Antidote.Data;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Attacks;

/// <summary>
/// A backdoor attack: a trigger kernel, a label policy and a poison plan. The simple ones (BadNets, Blended, SIG) only
/// implement <see cref="ApplyTrigger(Tensor)"/>; the defaults of the other members are what they need. An attack that
/// learns its trigger (Input-aware, LIRA) or needs a clean model first (LF, TrojanNN, LC) does it in <see cref="Prepare"/>
/// and keeps what it learnt in <see cref="SaveArtifacts"/>; one that poisons per batch (WaNet, BPP) plans no fixed rows
/// (<see cref="PoisonPlan.ForBatches"/>) and supplies its own <see cref="TrainingObjective"/>; one whose trigger trains with
/// the victim (Input-aware) finishes it in <see cref="TrainingFinished"/>; one with sample-specific triggers (SSBA) uses the
/// rows it is given.
/// The order of a run: Prepare, Plan, Poison (fixed rows), training with TrainingObjective, TrainingFinished,
/// SaveArtifacts; the run's test metrics then come from a fresh instance rebuilt with LoadArtifacts, so the ASR an attack
/// run prints is the one every defense and `eval` of that run folder measures.
/// </summary>
public interface IAttack : IDisposable
{
    string Name { get; }

    LabelPolicy Labels { get; }

    /// <summary>Clean-label attacks poison only target-class images and keep their labels (SIG).</summary>
    bool CleanLabel { get; }

    /// <summary>Builds what the trigger needs before any row is poisoned (load an image, train a generator or a clean model).</summary>
    void Prepare(AttackPreparation context) { }

    /// <summary>Writes what <see cref="Prepare"/> made into the attack's run folder, so that the attack can be rebuilt.</summary>
    void SaveArtifacts(string runFolder) { }

    /// <summary>Rebuilds the prepared state from a run folder written by <see cref="SaveArtifacts"/> (instead of <see cref="Prepare"/>).</summary>
    void LoadArtifacts(string runFolder) { }

    /// <summary>The rows to poison and their roles; by default BackdoorBench's draw (<see cref="PoisonPlanner"/>).</summary>
    PoisonPlan Plan(int[] labels, AttackSettings settings, long seed) => PoisonPlanner.Plan(this, labels, settings, seed);

    /// <summary>The images of <paramref name="rows"/> (of <paramref name="split"/>) as the plan's <paramref name="role"/> makes
    /// them: triggered for <see cref="PoisonRole.Poisoned"/>; unchanged by default for <see cref="PoisonRole.Cross"/>.</summary>
    Tensor Poison(Tensor images, PoisonRole role, DataSplit split, int[] rows) =>
        role == PoisonRole.Poisoned ? ApplyTrigger(images) : images.clone();

    /// <summary>Clean images [N, C, H, W] in [0, 1] → triggered ones; the result belongs to the caller's dispose scope.</summary>
    Tensor ApplyTrigger(Tensor images);

    /// <summary>The objective the backdoored model trains with on <paramref name="train"/> (the training set after the plan's
    /// fixed rows were poisoned); null = plain cross-entropy.</summary>
    ITrainingObjective? TrainingObjective(ImageDataset train) => null;

    /// <summary>True when the trigger itself trains with the victim (Input-aware's generator): a triggered test set made before
    /// an epoch is stale after it.</summary>
    bool TriggerLearnsWithVictim => false;

    /// <summary>Sees the trained victim after the last epoch and before <see cref="SaveArtifacts"/> (an attack whose trigger
    /// trains with the victim freezes it here).</summary>
    void TrainingFinished(ImageClassifier victim) { }

    void IDisposable.Dispose() { }
}
