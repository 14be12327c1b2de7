using System.Collections;
using Antidote.Core;
using Antidote.Core.Logging;
using Antidote.Defenses.FineTuning;
using Antidote.Experiments;
using Antidote.Experiments.Imports;
using Antidote.Experiments.Runs;
using Antidote.Models.Checkpoints;
using Antidote.Models.PreActResNet18;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Imports;

/// <summary>
/// The fixture (tests/Antidote.Tests/Fixtures/backdoorbench, written by tools/backdoorbench/make_record.py with PyTorch 1.13
/// and numpy 1.24) is a record in BackdoorBench 2.x's layout: attack_result.pt pickled by torch.save with numpy arrays and
/// numpy-scalar keys, PNGs under bd_test_dataset/{label}/{row}.png, attack_df_summary.csv with the ACC/ASR/RA the Python
/// side measured (0.86 / 0.7444 / 0.2556 on the 100 test images of test_batch.bin).
/// </summary>
public class BackdoorBenchImportTests
{
    private static string Fixture([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(file)))!, "Fixtures", "backdoorbench");

    /// <summary>A copy of the record in TEMP/record/blended_tiny and its CIFAR-10 folder in TEMP/cifar10: the record's test
    /// batch, and small training batches (a defense needs clean training images; the record's numbers are on the test set).</summary>
    private static (string Record, string Data) CopyFixture(TempDirectory temp)
    {
        string record = temp.File(Path.Combine("record", "blended_tiny"));
        CopyFolder(Path.Combine(Fixture(), "record", "blended_tiny"), record);
        string data = temp.File("cifar10");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(Fixture(), "test_batch.bin"), Path.Combine(data, "test_batch.bin"));
        for (int b = 1; b <= 5; b++)
            File.WriteAllBytes(Path.Combine(data, $"data_batch_{b}.bin"), DatasetFiles.CifarRecords(20, 1, n => n % 10, (n, i) => (byte)((n * 37 + i * 11 + b) % 256)));
        return (record, data);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    [Fact]
    public void The_pickle_is_read_as_data_with_numpy_arrays_and_numpy_scalar_keys()
    {
        var document = PyTorchZipFormat.ReadDocument(Path.Combine(Fixture(), "record", "blended_tiny", "attack_result.pt"));
        var root = (IDictionary)document.Root;
        Assert.Equal("preactresnet18", root["model_name"]);
        var bdTest = (IDictionary)root["bd_test"]!;
        var rows = (NumpyArray)bdTest["original_index_array"]!;
        Assert.Equal(('i', 8), (rows.Kind, rows.ItemSize));
        // Test rows of every class but the target (0): labels are n // 10 in the fixture, so rows 10..99.
        Assert.Equal(Enumerable.Range(10, 90).Select(i => (long)i), rows.ToInt64());
        var indicator = (NumpyArray)bdTest["poison_indicator"]!;
        Assert.Equal('f', indicator.Kind);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i >= 10 ? 1L : 0L), indicator.ToInt64());
        var entries = (IDictionary)((IDictionary)bdTest["bd_data_container"]!)["data_dict"]!;
        Assert.All(entries.Keys.Cast<object>(), key => Assert.IsType<long>(key));
        Assert.Contains("model/conv1.weight", document.Tensors.Keys);
    }

    [Fact]
    public void An_imported_record_measures_its_own_ACC_ASR_RA_and_defend_and_eval_start_from_them()
    {
        using var temp = new TempDirectory();
        var (record, data) = CopyFixture(temp);
        var location = BackdoorBenchImport.DefaultLocation(record, temp.File("runs"), null);
        var summary = BackdoorBenchImport.Run(record, data, location, NullRunLog.Instance);

        var own = Assert.IsType<RecordMetrics>(summary.Own);
        Assert.Equal(0.86, own.Accuracy, 6);
        // The record's own numbers are float32 means (BackdoorBench's .float().mean()); Antidote counts in doubles.
        Assert.Equal(own.Accuracy, summary.Measured.Accuracy, 6);
        Assert.Equal(own.AttackSuccessRate, summary.Measured.AttackSuccessRate, 6);
        Assert.Equal(own.RobustAccuracy, summary.Measured.RobustAccuracy, 6);
        Assert.Equal(90, summary.TriggeredImages);

        var run = AttackRun.Open(location.Path);
        Assert.Equal(new PreActResNet18Options(8), run.Config.Model);
        Assert.Equal(30, run.Plan.Indices.Length);
        Assert.Equal(summary.Measured, EvalExperiment.Run(location.Path, data, new()));

        var defense = DefenseExperiment.Run(new DefenseRunConfig(location.Path, new FineTuningOptions(Epochs: 1), 0.5, 0, data),
            new RunLocation(temp.File("runs"), "ft"), NullRunLog.Instance);
        Assert.Equal(summary.Measured, defense.Before);
        Assert.Equal(defense.After, EvalExperiment.Run(temp.File(Path.Combine("runs", "ft")), data, new()));
    }

    [Fact]
    public void A_record_that_does_not_match_the_dataset_or_misses_a_triggered_image_is_refused_in_one_line()
    {
        using var temp = new TempDirectory();
        var (record, data) = CopyFixture(temp);
        var location = BackdoorBenchImport.DefaultLocation(record, temp.File("runs"), null);

        // Another test set: row 10 is not the class the record says.
        string other = temp.File("other");
        Directory.CreateDirectory(other);
        foreach (string file in Directory.GetFiles(data)) File.Copy(file, Path.Combine(other, Path.GetFileName(file)));
        File.WriteAllBytes(Path.Combine(other, "test_batch.bin"), DatasetFiles.CifarRecords(100, 1, n => (n + 3) % 10, (n, i) => 0));
        var wrongData = Assert.Throws<AntidoteException>(() => BackdoorBenchImport.Run(record, other, location, NullRunLog.Instance));
        Assert.Contains("is --data the record's dataset?", wrongData.Message);

        File.Delete(Path.Combine(record, "bd_test_dataset", "3", "35.png"));
        var missing = Assert.Throws<AntidoteException>(() => BackdoorBenchImport.Run(record, data, location, NullRunLog.Instance));
        Assert.Contains("35.png is missing", missing.Message);
        Assert.False(Directory.Exists(location.Path));

        var notRecord = Assert.Throws<AntidoteException>(() => BackdoorBenchImport.Run(data, data, location, NullRunLog.Instance));
        Assert.Contains("is not a BackdoorBench record", notRecord.Message);
    }

    [Fact]
    public void Defending_a_record_folder_directly_says_to_import_it()
    {
        using var temp = new TempDirectory();
        var (record, data) = CopyFixture(temp);
        var e = Assert.Throws<AntidoteException>(() => DefenseExperiment.Run(new DefenseRunConfig(record, new FineTuningOptions(Epochs: 1), 0.5, 0, data),
            new RunLocation(temp.File("runs"), "ft"), NullRunLog.Instance));
        Assert.Contains("is a BackdoorBench record", e.Message);
        Assert.Contains("antidote import", e.Message);
    }
}
