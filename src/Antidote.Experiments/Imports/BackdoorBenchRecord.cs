using System.Collections;
using System.Globalization;
using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Models;
using Antidote.Models.Checkpoints;
using Antidote.Models.PreActResNet18;
using Antidote.Models.ResNet;
using Antidote.Models.Vgg;

namespace Antidote.Experiments.Imports;

/// <summary>One triggered test image of a record: its test-set row, the label the attack wants, the true label, its PNG.</summary>
public sealed record RecordedTestImage(int Row, int TargetLabel, int TrueLabel, string Png);

/// <summary>The metrics a record's own attack run wrote (attack_df_summary.csv, row "last"), as fractions.</summary>
public sealed record RecordMetrics(double Accuracy, double AttackSuccessRate, double RobustAccuracy);

/// <summary>
/// A BackdoorBench 2.x attack record folder, read as data: attack_result.pt (torch.save of model_name, num_classes, the
/// model's state dict, data_path, img_size, clean_data and the bd_train/bd_test states of prepro_cls_DatasetBD_v2, per
/// BackdoorBench's utils/save_load_attack.py and utils/bd_dataset_v2.py), the triggered PNGs its attack saved under
/// bd_test_dataset/{label}/{row}.png, and attack_df_summary.csv. Nothing in the record runs: the pickle is read as data.
/// </summary>
public sealed record BackdoorBenchRecord(
    string Folder,
    string ModelName,
    int Classes,
    string CleanData,
    int[] ImageSize,
    IReadOnlyDictionary<string, WeightTensor> Tensors,
    IReadOnlyList<RecordedTestImage> TestImages,
    int[] PoisonedTrainRows,
    RecordMetrics? Own)
{
    public const string ResultFile = "attack_result.pt";
    public const string SummaryFile = "attack_df_summary.csv";

    /// <summary>Most rows a record's dataset state may list (ImageNet's training set is 1.28 million).</summary>
    public const int MaxRows = 20_000_000;

    /// <summary>Whether <paramref name="folder"/> looks like a BackdoorBench record (it holds attack_result.pt).</summary>
    public static bool IsRecord(string folder) => File.Exists(Path.Combine(folder, ResultFile));

    public static BackdoorBenchRecord Read(string folder)
    {
        string full = Path.GetFullPath(folder);
        string resultPath = Path.Combine(full, ResultFile);
        if (!Directory.Exists(full))
            throw new AntidoteException($"record {full} not found");
        if (!File.Exists(resultPath))
            throw new AntidoteException($"{full} is not a BackdoorBench record: {ResultFile} is missing");
        var document = PyTorchZipFormat.ReadDocument(resultPath);
        if (document.Root is not IDictionary root)
            throw new AntidoteException($"{resultPath}: not a BackdoorBench attack result (its pickle is not a dict)");
        string Text(string key) => root[key] as string ?? throw Missing(resultPath, key, "a string");
        int Integer(string key) => root[key] is int or long ? Convert.ToInt32(root[key], CultureInfo.InvariantCulture) : throw Missing(resultPath, key, "an integer");
        int[] imageSize = root["img_size"] is IEnumerable size and not string
            ? size.Cast<object>().Select(v => v is int or long ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : -1).ToArray()
            : throw Missing(resultPath, "img_size", "a list of three integers");
        if (imageSize.Length != 3 || imageSize.Any(v => v < 1))
            throw Missing(resultPath, "img_size", "a list of three integers");
        var tensors = document.Tensors.Where(kv => kv.Key.StartsWith("model/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["model/".Length..], kv => kv.Value);
        if (tensors.Count == 0)
            throw Missing(resultPath, "model", "the model's state dict");
        if (root["bd_test"] is not IDictionary bdTest)
            throw Missing(resultPath, "bd_test", "a dataset state");
        var testImages = TestImagesOf(bdTest, full, resultPath);
        int[] trainRows = root["bd_train"] is IDictionary bdTrain ? RowsOf(bdTrain, resultPath, "bd_train") : [];
        return new BackdoorBenchRecord(full, Text("model_name"), Integer("num_classes"), Text("clean_data"), imageSize, tensors,
            testImages, trainRows, ReadOwnMetrics(Path.Combine(full, SummaryFile)));
    }

    private static AntidoteException Missing(string path, string key, string what) =>
        new($"{path}: not a BackdoorBench attack result ({Printable.Quote(key)} is not {what})");

    /// <summary>The rows a dataset state keeps (original_index_array; for bd_test, the triggered rows).</summary>
    private static int[] RowsOf(IDictionary state, string path, string key)
    {
        if (state["original_index_array"] is not NumpyArray rows || rows.Shape.Length != 1)
            throw Missing(path, $"{key}.original_index_array", "a 1-D numpy array");
        if (rows.Count > MaxRows || state["poison_indicator"] is NumpyArray { Count: > MaxRows })
            throw new AntidoteException($"{path}: {key} lists more than {MaxRows} rows; refused");
        long[] values;
        try
        {
            values = rows.ToInt64();
        }
        catch (InvalidDataException e)
        {
            throw new AntidoteException($"{path}: {key}.original_index_array: {e.Message}", e);
        }
        if (values.Any(v => v is < 0 or > int.MaxValue))
            throw new AntidoteException($"{path}: {key}.original_index_array holds a row out of range");
        if (state["poison_indicator"] is NumpyArray indicator && indicator.Shape.Length == 1 && key == "bd_train")
        {
            // bd_train keeps every row; the poisoned ones are those the indicator marks.
            long[] marks = indicator.ToInt64();
            return values.Where(v => v < marks.Length && marks[v] == 1).Select(v => (int)v).ToArray();
        }
        return values.Select(v => (int)v).ToArray();
    }

    private static List<RecordedTestImage> TestImagesOf(IDictionary bdTest, string folder, string path)
    {
        int[] rows = RowsOf(bdTest, path, "bd_test");
        if (bdTest["bd_data_container"] is not IDictionary container || container["data_dict"] is not IDictionary entries)
            throw Missing(path, "bd_test.bd_data_container.data_dict", "a dict");
        string savedFolder = container["save_folder_path"] as string
            ?? throw new AntidoteException($"{path}: bd_test keeps its triggered images inside the pickle (BackdoorBench's in-memory " +
                                           "container); only records whose attack saved them as PNG files (the attack scripts' default) can be read");
        var images = new List<RecordedTestImage>(rows.Length);
        foreach (int row in rows)
        {
            object? entry = entries.Contains((long)row) ? entries[(long)row] : entries.Contains(row) ? entries[row] : null;
            if (entry is not IDictionary fields || fields["path"] is not string png || fields["other_info"] is not IList { Count: >= 2 } info
                || info[0] is not (int or long) || info[1] is not (int or long))
                throw new AntidoteException($"{path}: bd_test has no readable entry for test row {row} (path and [target label, true label])");
            images.Add(new RecordedTestImage(row, Convert.ToInt32(info[0], CultureInfo.InvariantCulture), Convert.ToInt32(info[1], CultureInfo.InvariantCulture),
                LocalPng(png, savedFolder, folder, path)));
        }
        return images;
    }

    /// <summary>
    /// The PNG inside the record folder: BackdoorBench wrote "{save_folder_path}/{label}/{row}.png" with the path relative to
    /// where the attack ran (often "../record/NAME/bd_test_dataset"), so the part after the save folder is looked for under
    /// the folder of that name in this record. A path that would leave the record is refused.
    /// </summary>
    private static string LocalPng(string written, string savedFolder, string folder, string path)
    {
        string normalisedWritten = written.Replace('\\', '/');
        string normalisedSaved = savedFolder.Replace('\\', '/').TrimEnd('/');
        string tail = normalisedWritten.StartsWith(normalisedSaved + "/", StringComparison.Ordinal)
            ? normalisedWritten[(normalisedSaved.Length + 1)..]
            : string.Join('/', normalisedWritten.Split('/').TakeLast(2));
        string local = Path.GetFullPath(Path.Combine(folder, Path.GetFileName(normalisedSaved), tail));
        if (tail.Split('/').Any(part => part is ".." or "") || !FolderPath.IsInside(local, folder))
            throw new AntidoteException($"{path}: the triggered image path {Printable.Quote(written)} leaves the record folder; refused");
        return local;
    }

    /// <summary>The "last" row of attack_df_summary.csv (test_acc, test_asr, test_ra), or null when the file is absent.</summary>
    public static RecordMetrics? ReadOwnMetrics(string csv)
    {
        if (!File.Exists(csv)) return null;
        var lines = File.ReadLines(csv).Take(16).Select(l => l.Split(',')).ToList();
        if (lines.Count < 2) return null;
        var header = lines[0];
        var last = lines.Skip(1).FirstOrDefault(l => l.Length == header.Length && l[0] == "last");
        if (last is null) return null;
        double Value(string column)
        {
            int at = Array.IndexOf(header, column);
            return at >= 0 && double.TryParse(last[at], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
        }
        return new RecordMetrics(Value("test_acc"), Value("test_asr"), Value("test_ra"));
    }

    /// <summary>Antidote's architecture for the record's model_name, its width read from the weights' shapes.</summary>
    public IModelOptions ModelOptions()
    {
        int Channels(string key) => Tensors.TryGetValue(key, out var t) || Tensors.TryGetValue("module." + key, out t)
            ? (int)t.Shape[0]
            : throw new AntidoteException($"{Folder}: the {ModelName} weights have no {key}; the record's model is not BackdoorBench's {ModelName}");
        return ModelName switch
        {
            "preactresnet18" => new PreActResNet18Options(Channels("conv1.weight")),
            "resnet18" => new ResNet18Options(Channels("conv1.weight")),
            "resnet34" => new ResNet34Options(Channels("conv1.weight")),
            "resnet50" => new ResNet50Options(Channels("conv1.weight")),
            "vgg16_bn" => new Vgg16BnOptions(Channels("features.0.weight"), Channels("classifier.0.weight")),
            "vgg19_bn" => new Vgg19BnOptions(Channels("features.0.weight"), Channels("classifier.0.weight")),
            _ => throw new AntidoteException($"{Folder}: the record's model {Printable.Quote(ModelName)} has no Antidote architecture " +
                                             "(imported: preactresnet18, resnet18, resnet34, resnet50, vgg16_bn, vgg19_bn)"),
        };
    }

    /// <summary>Antidote's dataset for the record's clean_data.</summary>
    public string DatasetName() => CleanData switch
    {
        "cifar10" or "cifar100" => CleanData,
        _ => throw new AntidoteException($"{Folder}: the record's dataset {Printable.Quote(CleanData)} has no Antidote loader yet (imported: cifar10, cifar100)"),
    };
}
