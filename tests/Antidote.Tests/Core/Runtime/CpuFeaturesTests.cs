using Antidote.Core.Runtime;

namespace Antidote.Tests.Core.Runtime;

public class CpuFeaturesTests
{
    [Theory]
    [InlineData("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n", true)]
    [InlineData("processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile\n", true)]
    [InlineData("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n", false)]
    [InlineData("processor\t: 0\nflags\t\t: fpu avx512_bf16x\n", false)]
    [InlineData("processor\t: 0\nmodel name\t: some arm core\n", null)]
    public void Native_bfloat16_is_read_from_the_flags_line(string cpuinfo, bool? expected) =>
        Assert.Equal(expected, CpuFeatures.NativeBFloat16In(cpuinfo));
}
