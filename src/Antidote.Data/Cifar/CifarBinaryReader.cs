using Antidote.Core;
using Antidote.Core.IO;
using static TorchSharp.torch;

namespace Antidote.Data.Cifar;

/// <summary>
/// Reads the CIFAR "binary version" files: fixed-size records of label byte(s) followed by 3072 bytes of
/// 32×32 pixels, red plane then green then blue. CIFAR-10 has one label byte; CIFAR-100 has a coarse and a
/// fine label byte (the fine one is used).
/// </summary>
public static class CifarBinaryReader
{
    private const int PixelBytes = 3 * 32 * 32;

    /// <param name="labelBytes">1 for CIFAR-10, 2 for CIFAR-100.</param>
    /// <param name="labelOffset">Which label byte is the class (0 for CIFAR-10, 1 = fine for CIFAR-100).</param>
    public static ImageDataset Read(IReadOnlyList<string> paths, int labelBytes, int labelOffset, int classes)
    {
        int record = labelBytes + PixelBytes;
        var files = new List<byte[]>();
        foreach (string path in paths)
        {
            byte[] bytes;
            RegularFile.Check(path, "CIFAR file");
            try { bytes = File.ReadAllBytes(path); }
            catch (IOException e) { throw new AntidoteException($"{path}: cannot read ({e.Message})", e); }
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new AntidoteException($"{path}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR records (truncated or wrong format)");
            files.Add(bytes);
        }
        int n = files.Sum(f => f.Length / record);
        var pixels = new byte[(long)n * PixelBytes];
        var labels = new long[n];
        int row = 0;
        for (int f = 0; f < files.Count; f++)
        {
            byte[] bytes = files[f];
            for (int offset = 0; offset < bytes.Length; offset += record, row++)
            {
                int label = bytes[offset + labelOffset];
                if (label >= classes)
                    throw new AntidoteException($"{paths[f]}: label {label} in record {offset / record} is not below {classes} classes (wrong format?)");
                labels[row] = label;
                Buffer.BlockCopy(bytes, offset + labelBytes, pixels, row * PixelBytes, PixelBytes);
            }
        }
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [n, 3, 32, 32]).to_type(ScalarType.Float32).div_(255f);
        return new ImageDataset(images, tensor(labels, ScalarType.Int64));
    }
}
