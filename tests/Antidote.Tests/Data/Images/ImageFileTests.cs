using Antidote.Core;
using Antidote.Data.Images;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Data.Images;

public class ImageFileTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Eight_bit_images_round_trip_exactly(int channels)
    {
        using var temp = new TempDirectory();
        var image = randint(0, 256, [channels, 7, 5]).to_type(ScalarType.Float32) / 255f;
        ImageFile.WritePng(temp.File("t.png"), image);
        var read = ImageFile.Read(temp.File("t.png"));
        Assert.Equal(image.shape, read.shape);
        Assert.True(read.allclose(image, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_file_that_is_not_a_PNG_is_reported()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("t.png"), "hello");
        Assert.Contains("not a readable image", Assert.Throws<AntidoteException>(() => ImageFile.Read(temp.File("t.png"))).Message);
    }

    [Fact]
    public void A_header_claiming_more_pixels_than_allowed_is_refused_before_decoding()
    {
        using var temp = new TempDirectory();
        ImageFile.WritePng(temp.File("t.png"), zeros(3, 4, 4));
        byte[] bytes = File.ReadAllBytes(temp.File("t.png"));
        // IHDR data starts at byte 16: width and height, big-endian. 200,000 × 200,000 RGB overflowed an int before.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 200_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 200_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), PngChunk.Crc32(bytes.AsSpan(12, 17))); // a valid header
        File.WriteAllBytes(temp.File("t.png"), bytes);
        var error = Assert.Throws<AntidoteException>(() => ImageFile.Read(temp.File("t.png")));
        Assert.Contains("image of 200000x200000 pixels refused", error.Message);
    }
}
