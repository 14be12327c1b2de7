using Antidote.Defenses;
using Antidote.Models;
using Antidote.Tests.TestKit;
using Antidote.Training;
using static TorchSharp.torch;

namespace Antidote.Tests.Defenses;

/// <summary>Every registered defense, with the smoke options it declares, on a small planted backdoor: it
/// returns a new model of the same architecture with finite weights and leaves the input model untouched.</summary>
public class DefenseCatalogTests(PlantedBackdoorFixture fixture) : IClassFixture<PlantedBackdoorFixture>
{
    public static TheoryData<string> DefenseNames() => new(DefenseCatalog.Default.Names);

    [Theory]
    [MemberData(nameof(DefenseNames))]
    public void Each_defense_returns_a_new_model_and_leaves_the_input_untouched(string name)
    {
        var planted = fixture.Planted;
        var entry = DefenseCatalog.Default.Get(name);
        var options = Short(entry);
        options.Validate();
        var before = planted.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var outcome = entry.Create(options).Run(planted.Context());

        using var defended = outcome.Model;
        Assert.NotSame(planted.Model, defended);
        Assert.Equal(before.Keys.Order(), defended.state_dict().Keys.Order());
        foreach (var (key, value) in defended.state_dict())
        {
            Assert.Equal(before[key].shape, value.shape);
            if (value.is_floating_point()) Assert.True(value.isfinite().all().item<bool>(), key);
        }
        foreach (var (key, value) in planted.Model.state_dict())
            Assert.True(value.eq(before[key]).all().item<bool>(), $"{name} changed the input model's {key}");
    }

    /// <summary>
    /// The experiment scores the test sets after each epoch and writes ACC and ASR into the epoch's record. A defense that
    /// let those numbers steer it (a threshold, a stop, a λ) would end differently when they change: with the same seed it
    /// must end bit for bit the same whatever they say.
    /// </summary>
    [Theory]
    [MemberData(nameof(DefenseNames))]
    public void No_defense_decides_anything_from_the_test_metrics_written_into_its_epochs(string name)
    {
        var entry = DefenseCatalog.Default.Get(name);
        Assert.Null(KeyThatDependsOnTestMetrics(() => entry.Create(Short(entry)), fixture.Planted));
    }

    /// <summary>The check above catches a defense that stops when the ASR its epochs were told looks low.</summary>
    [Fact]
    public void A_defense_that_reads_the_test_metrics_is_caught()
    {
        Assert.NotNull(KeyThatDependsOnTestMetrics(() => new StopsWhenAsrLooksLow(), fixture.Planted));
    }

    private static string? KeyThatDependsOnTestMetrics(Func<IDefense> create, PlantedBackdoor planted)
    {
        var lies = new Random(1);
        using var plain = create().Run(planted.Context()).Model;
        using var told = create().Run(planted.Context(onEpoch: (record, model) =>
        {
            Evaluator.Predict(model, planted.Triggered, planted.Pipeline);
            record.Values["acc"] = lies.NextDouble();
            record.Values["asr"] = lies.NextDouble();
            record.Values["ra"] = lies.NextDouble();
        })).Model;
        var toldState = told.state_dict();
        return plain.state_dict().FirstOrDefault(kv => !kv.Value.eq(toldState[kv.Key]).all().item<bool>()).Key;
    }

    private sealed class StopsWhenAsrLooksLow : IDefense
    {
        public string Name => "cheat";

        public DefenseOutcome Run(DefenseContext context)
        {
            var model = context.CopyOfModel();
            bool stop = false;
            var epochs = Trainer.Train(model, context.CleanData, context.Pipeline, new TrainingSettings(4, 0.05, 32), new CheckedCrossEntropy(() => stop),
                new Random(0), context.Log, "cheat", record =>
                {
                    context.OnEpoch?.Invoke(record, model);
                    stop = record.Values.TryGetValue("asr", out double asr) && asr < 0.9;
                });
            return new DefenseOutcome(model, epochs);
        }

        private sealed class CheckedCrossEntropy(Func<bool> stop) : ITrainingObjective
        {
            public TorchSharp.torch.Tensor Loss(Antidote.Models.ImageClassifier model, TorchSharp.torch.Tensor inputs, TorchSharp.torch.Tensor labels, StepMetrics metrics) =>
                TorchSharp.torch.nn.functional.cross_entropy(model.call(inputs), labels);

            public bool AfterEpoch(Antidote.Models.ImageClassifier model, EpochRecord record) => !stop();
        }
    }

    /// <summary>The defense's own smoke options.</summary>
    private static IDefenseOptions Short(DefenseEntry entry) => (IDefenseOptions)entry.SmokeOptions;
}

/// <summary>One planted backdoor shared by a test class.</summary>
public sealed class PlantedBackdoorFixture : IDisposable
{
    public PlantedBackdoor Planted { get; } = new(epochs: 4);

    public void Dispose() => Planted.Dispose();
}
