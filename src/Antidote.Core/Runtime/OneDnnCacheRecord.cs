using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Antidote.Core.Runtime;

/// <summary>
/// Repairs the cache sizes oneDNN (inside libtorch 2.10) reads on AMD CPUs whose hypervisor leaves CPUID leaf 0x8000001D
/// empty. oneDNN's copy of Xbyak (<c>xbyak_util.h</c>, <c>Cpu::setCacheHierarchy</c>) always records three cache levels on
/// AMD and sizes each as (ways+1)·(partitions+1)·(line+1)·(sets+1) from that leaf without checking that it describes a cache,
/// so an all-zero leaf gives 1 byte per level. Convolution kernels blocked for a 1-byte cache return wrong values (forward
/// with 20 or 24 input channels; input gradients whenever the output channels are not a multiple of the vector width) and
/// write past their buffers, which shows up as NaN at a random step. Setting the record's level count to 0 sends oneDNN
/// to its own fallback for an unknown hierarchy (<c>cpu/platform.cpp</c>, <c>get_per_core_cache_size</c>: 32 KB, 512 KB,
/// 1 MB per core), the path it was written to take.
/// </summary>
internal static class OneDnnCacheRecord
{
    private const string Library = "libtorch_cpu.so";

    // The record's cache fields as Xbyak leaves them here: 10 sizes (three levels of 1 byte), 10 sharing counts, the level count.
    private const int MaxLevels = 10;
    private const int SignatureWords = 2 * MaxLevels + 1;
    private const int LevelCountWord = 2 * MaxLevels;

    /// <summary>True where Xbyak will size every cache at 1 byte: an AMD CPU that lists leaf 0x8000001D but leaves it empty.</summary>
    public static bool CpuReportsNoCaches()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "Auth" "enti" "cAMD"
        if (!amd) return false;
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x8000001D) return false;
        var (cacheType, _, _, _) = X86Base.CpuId(unchecked((int)0x8000001D), 0);
        return (cacheType & 0x1F) == 0;
    }

    /// <summary>Applies the repair where it is needed; returns what was done, or null where the CPU reports its caches.</summary>
    public static string? RepairIfBlank()
    {
        if (!OperatingSystem.IsLinux() || !CpuReportsNoCaches()) return null;
        BuildRecord();
        var library = LoadedLibrary(Library);
        if (library is null)
            return $"this CPU reports no cache sizes (CPUID 0x8000001D is empty) and {Library} was not found in memory to repair";
        var (path, loadBase) = library.Value;
        var bss = ElfSection(path, ".bss");
        if (bss is null)
            return $"this CPU reports no cache sizes (CPUID 0x8000001D is empty) and {Library} has no .bss section to repair";
        var matches = FindRecord(new IntPtr(loadBase + (long)bss.Value.Address), (long)bss.Value.Size);
        if (matches.Count != 1)
            return $"this CPU reports no cache sizes (CPUID 0x8000001D is empty) and oneDNN's CPU record was found {matches.Count} times, not once: left as is";
        Marshal.WriteInt32(matches[0], LevelCountWord * sizeof(int), 0);
        return "this CPU reports no cache sizes (CPUID 0x8000001D is empty): oneDNN uses its defaults for an unknown cache " +
               "(L1 32 KB, L2 512 KB, L3 1 MB per core) instead of 1 byte";
    }

    /// <summary>oneDNN builds its CPU record on first use: one 1×1 convolution of a shape nothing else uses (batch 16 takes
    /// the oneDNN path), before any convolution whose kernel would be blocked with the wrong sizes.</summary>
    private static void BuildRecord()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        nn.functional.conv2d(ones(16, 3, 1, 1), ones(5, 3, 1, 1)).Dispose();
    }

    private static List<IntPtr> FindRecord(IntPtr start, long length)
    {
        var words = new int[length / sizeof(int)];
        Marshal.Copy(start, words, 0, words.Length);
        var found = new List<IntPtr>();
        for (int i = 0; i + SignatureWords <= words.Length; i++)
            if (LooksLikeBlankRecord(words.AsSpan(i, SignatureWords)))
                found.Add(start + i * sizeof(int));
        return found;
    }

    private static bool LooksLikeBlankRecord(ReadOnlySpan<int> w)
    {
        for (int level = 0; level < MaxLevels; level++)
        {
            int size = w[level], sharing = w[MaxLevels + level];
            bool expected = level < 3 ? size == 1 && sharing is >= 1 and <= 4096 : size == 0 && sharing == 0;
            if (!expected) return false;
        }
        return w[LevelCountWord] == 3;
    }

    /// <summary>The file and load address of a shared library in this process (the mapping of its first page).</summary>
    private static (string Path, long Base)? LoadedLibrary(string fileName)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            // address perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || Path.GetFileName(fields[5]) != fileName || fields[2].Trim('0').Length != 0) continue;
            long start = long.Parse(fields[0].Split('-')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return (fields[5], start);
        }
        return null;
    }

    /// <summary>The virtual address and size of a named section, from the ELF64 section headers.</summary>
    private static (ulong Address, ulong Size)? ElfSection(string path, string name)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        if (reader.ReadUInt32() != 0x464C457F || reader.ReadByte() != 2) return null; // "\x7fELF", 64-bit
        file.Position = 0x28;
        ulong sectionTable = reader.ReadUInt64();
        file.Position = 0x3A;
        int entrySize = reader.ReadUInt16(), count = reader.ReadUInt16(), namesIndex = reader.ReadUInt16();
        if (entrySize < 64 || count == 0 || namesIndex >= count) return null;
        var headers = new (uint Name, ulong Address, ulong Offset, ulong Size)[count];
        for (int i = 0; i < count; i++)
        {
            file.Position = (long)sectionTable + (long)i * entrySize;
            uint nameOffset = reader.ReadUInt32();
            reader.ReadUInt32(); // type
            reader.ReadUInt64(); // flags
            headers[i] = (nameOffset, reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
        }
        var names = headers[namesIndex];
        foreach (var header in headers)
        {
            file.Position = (long)(names.Offset + header.Name);
            var bytes = reader.ReadBytes(name.Length + 1);
            if (bytes.Length == name.Length + 1 && bytes[^1] == 0 && System.Text.Encoding.ASCII.GetString(bytes, 0, name.Length) == name)
                return (header.Address, header.Size);
        }
        return null;
    }
}
