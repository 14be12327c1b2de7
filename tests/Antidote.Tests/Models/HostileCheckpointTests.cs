using System.IO.Compression;
using Antidote.Core;
using Antidote.Models.Checkpoints;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Models;

/// <summary>Checkpoints made to exhaust memory or time, or to be read wrongly: each loads as PyTorch would or is refused in one line.</summary>
public class HostileCheckpointTests
{
    private static readonly byte[] FourFloats = new byte[16];

    private static IReadOnlyDictionary<string, WeightTensor> Read(TempDirectory temp, byte[] pickle, Dictionary<string, byte[]> storages,
        CompressionLevel level = CompressionLevel.NoCompression)
    {
        string path = temp.File("hostile.pth");
        PickleWriter.WriteCheckpoint(path, pickle, storages, level);
        return new PyTorchZipFormat().Read(path);
    }

    private static AntidoteException Refused(TempDirectory temp, byte[] pickle, Dictionary<string, byte[]> storages, CompressionLevel level = CompressionLevel.NoCompression)
    {
        var error = Assert.Throws<AntidoteException>(() => Read(temp, pickle, storages, level));
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void A_dict_that_holds_itself_under_many_keys_is_walked_once()
    {
        // {"w": tensor, "k0": <itself>, ..., "k9": <itself>}: every path through the cycle would name a copy of the tensor.
        using var temp = new TempDirectory();
        var p = new PickleWriter().Op((byte)'}').Put(0).Mark().Unicode("w").Tensor("0", 4, 0, [4], [1]);
        for (int k = 0; k < 10; k++) p.Unicode($"k{k}").Get(0);
        var tensors = Read(temp, p.Op((byte)'u').ToArray(), new() { ["0"] = FourFloats });
        Assert.Equal(["w"], tensors.Keys);
    }

    [Fact]
    public void Millions_of_opcodes_beside_one_tensor_are_refused_before_unpickling()
    {
        using var temp = new TempDirectory();
        var p = new PickleWriter().Mark();
        for (int i = 0; i < 300_000; i++) p.Op((byte)']');
        p.Op((byte)'1').Op((byte)'}').Unicode("w").Tensor("0", 4, 0, [4], [1]).Op((byte)'s');
        Assert.Contains("opcodes", Refused(temp, p.ToArray(), new() { ["0"] = FourFloats }).Message);
    }

    [Fact]
    public void An_integer_literal_of_thousands_of_digits_is_refused()
    {
        using var temp = new TempDirectory();
        var p = new PickleWriter().Text('L', new string('9', 100_000) + "L").Op((byte)'0').Op((byte)'}').Unicode("w").Tensor("0", 4, 0, [4], [1]).Op((byte)'s');
        Assert.Contains("integer literal of 100001 digits", Refused(temp, p.ToArray(), new() { ["0"] = FourFloats }).Message);
    }

    [Fact]
    public void A_stride_zero_view_larger_than_its_storage_is_refused()
    {
        using var temp = new TempDirectory();
        var p = new PickleWriter().Op((byte)'}').Unicode("w").Tensor("0", 1, 0, [200_000_000], [0]).Op((byte)'s');
        Assert.Contains("MiB", Refused(temp, p.ToArray(), new() { ["0"] = new byte[4] }).Message);
    }

    [Fact]
    public void Many_views_of_one_storage_cannot_multiply_it_but_tied_weights_load()
    {
        using var temp = new TempDirectory();
        int floats = 1 << 18; // 1 MiB
        var views = new PickleWriter().Op((byte)'}').Mark();
        for (int i = 0; i < 40; i++) views.Unicode($"w{i}").Tensor("0", floats, 0, [floats], [1]);
        Assert.Contains("MiB", Refused(temp, views.Op((byte)'u').ToArray(), new() { ["0"] = new byte[4 * floats] }).Message);

        var tied = new PickleWriter().Op((byte)'}').Mark().Unicode("a").Tensor("0", 4, 0, [4], [1]).Unicode("b").Tensor("0", 4, 0, [2, 2], [2, 1]).Op((byte)'u');
        var tensors = Read(temp, tied.ToArray(), new() { ["0"] = FourFloats });
        Assert.Equal([2L, 2L], tensors["b"].Shape);
    }

    [Fact]
    public void A_storage_that_inflates_far_past_the_file_is_refused_before_it_is_read()
    {
        using var temp = new TempDirectory();
        int floats = 24 << 20; // 96 MiB of zeros deflate to about 100 KB
        var p = new PickleWriter().Op((byte)'}').Unicode("w").Tensor("0", floats, 0, [floats], [1]).Op((byte)'s');
        Assert.Contains("inflate past", Refused(temp, p.ToArray(), new() { ["0"] = new byte[4L * floats] }, CompressionLevel.Fastest).Message);
    }

    [Theory]
    [InlineData(new long[] { 1L << 40, 1L << 40 }, new long[] { 1, 1 }, 0, "overflow")]
    [InlineData(new long[] { 0 }, new long[] { 1 }, 1000, "offset 1000")]
    public void Records_whose_size_overflows_or_whose_offset_is_past_the_storage_are_refused(long[] size, long[] stride, long offset, string expected)
    {
        using var temp = new TempDirectory();
        var p = new PickleWriter().Op((byte)'}').Unicode("w").Tensor("0", 4, offset, size, stride).Op((byte)'s');
        Assert.Contains(expected, Refused(temp, p.ToArray(), new() { ["0"] = FourFloats }).Message);
    }

    [Fact]
    public void A_storage_claiming_two_billion_elements_is_refused_without_allocating_them()
    {
        using var temp = new TempDirectory();
        var p = new PickleWriter().Op((byte)'}').Unicode("w").Tensor("0", 2_147_483_600, 0, [4], [1], storage: "ByteStorage").Op((byte)'s');
        Assert.Contains("2147483600 elements", Refused(temp, p.ToArray(), new() { ["0"] = FourFloats }).Message);
    }

    [Fact]
    public void A_key_set_twice_in_a_state_dict_is_refused()
    {
        // As torch.save writes a state dict: OrderedDict() then SETITEMS, here with "w" twice.
        using var temp = new TempDirectory();
        var p = new PickleWriter().Global("collections", "OrderedDict").Op((byte)')', (byte)'R').Mark()
            .Unicode("w").Tensor("0", 4, 0, [4], [1]).Unicode("w").Tensor("1", 4, 0, [2, 2], [2, 1]).Op((byte)'u');
        Assert.Contains("'w' is set twice", Refused(temp, p.ToArray(), new() { ["0"] = FourFloats, ["1"] = FourFloats }).Message);
    }

    [Fact]
    public void Names_with_control_characters_are_printed_escaped_on_one_line()
    {
        using var temp = new TempDirectory();
        // A tensor name read from a file carries a newline and a terminal colour escape: quoted, both are shown as escapes.
        string name = "conv1\n\u001b[31mweight";
        var p = new PickleWriter().Op((byte)'}').Mark().Unicode(name).Tensor("0", 4, 0, [4], [1]).Op((byte)'u');
        var tensors = Read(temp, p.ToArray(), new() { ["0"] = FourFloats });
        Assert.Equal("'conv1\\x0a\\x1b[31mweight'", Printable.Quote(tensors.Keys.Single()));
        Assert.Equal("a\\u202eb", Printable.Escape("a\u202eb"));
        Assert.EndsWith("(+999800 characters)", Printable.Escape(new string('.', 1_000_000)));
    }

    [Fact]
    public void Finding_the_wrapper_prefix_is_linear_in_the_names_length()
    {
        // A million separators: the old search copied and hashed the rest of the name after each one.
        string prefix = ModelCheckpoint.KeyPrefix([new string('.', 1_000_000), "module.conv1.weight"], ["conv1.weight", "linear.bias"]);
        Assert.Equal("module.", prefix);
    }

    [Fact]
    public void A_fifo_is_refused_by_name_instead_of_opened()
    {
        using var temp = new TempDirectory();
        string fifo = temp.File("weights.pth");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var error = Assert.Throws<AntidoteException>(() => ModelCheckpoint.FormatOf(fifo));
        Assert.Contains("is a FIFO, not a regular file", error.Message);
    }

    [Fact]
    public void Random_pickle_structures_load_or_are_refused_in_one_line()
    {
        // Structure-aware mutations: dicts nested and shared through the memo (cycles included), long literals, views with
        // random offsets, sizes and strides, stray opcodes, truncation. Every case loads or gives an AntidoteException.
        using var temp = new TempDirectory();
        var random = new Random(21);
        int loaded = 0, refused = 0;
        for (int i = 0; i < 400; i++)
        {
            int size0 = random.Next(0, 6);
            long[] elementsOf = [size0, 4, 5];
            var p = new PickleWriter().Op((byte)'}').Put(0).Mark().Unicode("first").Tensor("1", 4, 0, [2], [1]);
            byte slots = 1;
            int items = random.Next(1, 8);
            for (int k = 0; k < items; k++)
            {
                p.Unicode(random.Next(4) == 0 ? "w" : $"k{k}");
                switch (random.Next(6))
                {
                    case 0: p.Get((byte)random.Next(slots + 1)); break; // a memo reference, maybe to a dict holding it, maybe to nothing
                    case 1: p.Op((byte)'}').Put(slots++); break;
                    case 2: p.Text('L', new string('7', random.Next(1, 200)) + "L"); break;
                    case 3: p.Op((byte)random.Next(256)); break;
                    default:
                        int key = random.Next(3), rank = random.Next(0, 3);
                        bool wild = random.Next(4) == 0;
                        p.Tensor(key.ToString(), wild ? random.Next(-1, 8) : elementsOf[key], random.Next(wild ? -1 : 0, 3),
                            [.. Enumerable.Range(0, rank).Select(_ => wild ? random.NextInt64(-1, 1L << random.Next(1, 40)) : random.Next(0, 3))],
                            [.. Enumerable.Range(0, rank).Select(_ => (long)random.Next(wild ? -1 : 0, 3))]);
                        break;
                }
            }
            byte[] pickle = p.Op((byte)'u').ToArray();
            if (random.Next(5) == 0) pickle = pickle[..random.Next(1, pickle.Length)];
            var storages = new Dictionary<string, byte[]> { ["0"] = new byte[size0 * 4], ["1"] = FourFloats, ["2"] = new byte[20] };
            try
            {
                Read(temp, pickle, storages);
                loaded++;
            }
            catch (AntidoteException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                refused++;
            }
        }
        Assert.True(loaded > 10 && refused > 10, $"{loaded} loaded, {refused} refused");
    }
}
