using Antidote.Attacks;
using Antidote.Core.Runtime;
using Antidote.Data.ImageFolder;
using Antidote.Defenses;
using Antidote.Defenses.NeuralCleanse;
using Antidote.Models;

namespace Antidote.Experiments.Detox;

/// <summary>`antidote detox`: a model someone already has, cleaned on their images.</summary>
/// <param name="Weights">The checkpoint (Antidote's, safetensors or a torch.save .pt/.pth/.bin).</param>
/// <param name="Model">The architecture and its arguments; the file must fit it exactly.</param>
/// <param name="Input">Channels and side lengths the model takes; images are resized and center-cropped to it.</param>
/// <param name="Mean">Per-channel normalisation mean applied after scaling pixels to [0, 1] (the model's training preprocessing).</param>
/// <param name="Std">Per-channel normalisation standard deviation.</param>
/// <param name="CleanFolder">The defender's clean images, an image folder (one sub-folder per class, sorted names = labels).</param>
/// <param name="Holdout">Fraction of the clean images held out, never trained on, to measure ACC (and ASR with an attack) before and after.</param>
/// <param name="TriggeredFolder">Images that carry the suspected trigger (class sub-folders give their true labels; else all are
/// taken as non-target images); with <paramref name="Target"/>, ASR before and after.</param>
/// <param name="Attack">A suspected attack to plant on the held-out images instead (its trigger options), with <paramref name="Target"/>.</param>
/// <param name="Scan">Scan for a backdoor before and after the defense (Neural Cleanse's trigger search on the training part,
/// each trigger measured on the held-out part); null = no scan.</param>
/// <param name="Survival">How the scans before and after are compared (null = the rule's defaults).</param>
public sealed record DetoxSettings(
    string Weights,
    IModelOptions Model,
    int Classes,
    ImageShape Input,
    float[] Mean,
    float[] Std,
    string CleanFolder,
    IDefenseOptions Defense,
    double Holdout = 0.2,
    string? TriggeredFolder = null,
    IAttackOptions? Attack = null,
    int Target = 0,
    long Seed = 0,
    ComputeSettings? Compute = null,
    TriggerSearchOptions? Scan = null,
    SurvivalRule? Survival = null)
{
    public SurvivalRule SurvivalOrDefault => Survival ?? new SurvivalRule();
}
