using System.ComponentModel;
using Antidote.Core;
using Antidote.Core.Options;
using Antidote.Core.Runtime;
using Antidote.Models;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Defenses.Nad;

/// <summary>NAD as BackdoorBench runs it (config/defense/nad/config.yaml, defense/nad.py).</summary>
public sealed record NadOptions(
    [Description("Epochs the teacher fine-tunes from the backdoored model (BackdoorBench te_epochs, L28: 10)")]
    int TeacherEpochs = 10,
    [Description("Epochs of attention distillation into the student (BackdoorBench trains the student te_epochs too, nad.py L845: 10; its 'epochs: 100' is unused)")]
    int Epochs = 10,
    [Description("SGD learning rate, momentum 0.9: the teacher's is cosine-annealed as FT's; the student's is this until epoch 20 and 1e-4 after (BackdoorBench adjust_learning_rate)")]
    double LearningRate = 0.01,
    [Description("Batch size (BackdoorBench: 256)")]
    int BatchSize = 256,
    [Description("SGD weight decay (BackdoorBench: 5e-4)")]
    double WeightDecay = 5e-4,
    [Description("Attention-transfer weight of the third-to-last feature-map stage (BackdoorBench beta1, L32: 500)")]
    double Beta1 = 500,
    [Description("Weight of the second-to-last feature-map stage (beta2, L33: 1000)")]
    double Beta2 = 1000,
    [Description("Weight of the last feature-map stage (beta3, L34: 1000)")]
    double Beta3 = 1000,
    [Description("Power p of the attention map, sum over channels of |a|^p (L35: 2)")]
    double P = 2) : IDefenseOptions
{
    public void Validate()
    {
        OptionCheck.Positive(nameof(TeacherEpochs), TeacherEpochs);
        OptionCheck.Positive(nameof(Epochs), Epochs);
        OptionCheck.Positive(nameof(LearningRate), LearningRate);
        OptionCheck.Positive(nameof(BatchSize), BatchSize);
        OptionCheck.NotNegative(nameof(WeightDecay), WeightDecay);
        OptionCheck.NotNegative(nameof(Beta1), Beta1);
        OptionCheck.NotNegative(nameof(Beta2), Beta2);
        OptionCheck.NotNegative(nameof(Beta3), Beta3);
        OptionCheck.Positive(nameof(P), P);
    }
}

/// <summary>
/// Neural Attention Distillation (Li et al., ICLR 2021): a teacher is fine-tuned from the backdoored model on the clean subset;
/// then a student, also starting from the backdoored model, trains with cross-entropy plus β·‖A_s − A_t‖² on the attention
/// maps A = normalise(Σ_c |a_c|^p) of feature stages. The three β go to the model's last three stages that are feature maps
/// [N, C, H, W], in forward order (layer2, layer3, layer4 on the ResNets; the small CNN has two, block1 and block2, which get
/// β2 and β3); stages that are not feature maps (the small CNN's hidden layer, ViT's tokens) are skipped, and a model with
/// none is refused. BackdoorBench instead cuts its PreAct-ResNet18 after layer3, layer4 and the average pool, whose 1×1 map
/// makes the third term a constant, and distils nothing but that constant on torchvision's ResNet-18.
/// </summary>
public sealed class NadDefense(NadOptions options) : IDefense
{
    public string Name => "nad";

    public DefenseOutcome Run(DefenseContext context)
    {
        var stages = DistilledStages(context.Model);
        Seeds.SeedTorch(context.Seed, "nad-teacher");
        using var teacher = context.CopyOfModel();
        var teacherSettings = new TrainingSettings(options.TeacherEpochs, options.LearningRate, options.BatchSize,
            WeightDecay: options.WeightDecay, CosineTMax: TrainingSettings.BackdoorBenchCosineTMax);
        Trainer.Train(teacher, context.CleanData, context.Pipeline, teacherSettings, new CrossEntropyObjective(),
            Seeds.Stream(context.Seed, "nad-teacher-order"), context.Log, "nad teacher", cancel: context.Cancel);
        teacher.eval();

        Seeds.SeedTorch(context.Seed, "nad");
        var student = context.CopyOfModel();
        var settings = new TrainingSettings(options.Epochs, options.LearningRate, options.BatchSize, WeightDecay: options.WeightDecay);
        var epochs = Trainer.Train(student, context.CleanData, context.Pipeline, settings, new AttentionDistillation(teacher, stages, options),
            Seeds.Stream(context.Seed, "nad-order"), context.Log, "nad", r => context.OnEpoch?.Invoke(r, student), context.Cancel);
        return new DefenseOutcome(student, epochs);
    }

    /// <summary>The stages distilled, paired with their β: the last three feature-map stages get β1, β2, β3 from the end back.</summary>
    public IReadOnlyList<(string Stage, double Beta)> DistilledStages(ImageClassifier model)
    {
        var maps = model.Stages.Where(s => s.IsFeatureMap).Select(s => s.Name).ToList();
        if (maps.Count == 0)
            throw new AntidoteException($"nad does not apply to {model.GetType().Name}: it has no feature-map stage to distil attention from");
        double[] betas = [options.Beta1, options.Beta2, options.Beta3];
        var last = maps.TakeLast(3).ToList();
        return last.Select((stage, i) => (stage, betas[3 - last.Count + i])).ToList();
    }

    /// <summary>A = Σ_c |a_c|^p over channels, divided by its L2 norm over the positions (+1e-6), per image: [N, 1, H, W].</summary>
    public static Tensor AttentionMap(Tensor features, double p)
    {
        var map = features.abs().pow(p).sum(1, keepdim: true);
        return map / (map.square().sum([2, 3], keepdim: true).sqrt() + 1e-6);
    }

    private sealed class AttentionDistillation(ImageClassifier teacher, IReadOnlyList<(string Stage, double Beta)> stages, NadOptions options)
        : ITrainingObjective
    {
        /// <summary>BackdoorBench's adjust_learning_rate: the learning rate until epoch 20, then 1e-4.</summary>
        public TrainingOptimizers CreateOptimizers(ImageClassifier model, TrainingSettings settings, int epochs)
        {
            var sgd = optim.SGD(model.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
            return new TrainingOptimizers([sgd], [optim.lr_scheduler.MultiStepLR(sgd, new[] { 20 }, 1e-4 / settings.LearningRate)]);
        }

        public Tensor Loss(ImageClassifier model, Tensor inputs, Tensor labels, StepMetrics metrics)
        {
            var student = model.ForwardStages(inputs);
            IReadOnlyDictionary<string, Tensor> target;
            using (no_grad()) target = teacher.ForwardStages(inputs);
            var logits = student["logits"];
            metrics.AddAccuracy("train_acc", logits, labels);
            var loss = nn.functional.cross_entropy(logits, labels);
            foreach (var (stage, beta) in stages)
            {
                var at = nn.functional.mse_loss(AttentionMap(student[stage], options.P), AttentionMap(target[stage], options.P));
                metrics.Add($"at_{stage}", at.item<float>(), labels.shape[0]);
                loss = loss + at * beta;
            }
            return loss;
        }
    }
}
