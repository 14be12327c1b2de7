using Antidote.Experiments.Benchmark;

namespace Antidote.Tests.Experiments.Benchmark;

public class RepeatedTests
{
    [Fact]
    public void One_slow_repetition_does_not_become_the_number()
    {
        var times = new Queue<double>([1.0, 9.0, 1.2]);
        Assert.Equal(1.2, Repeated.Median(3, times.Dequeue));
        Assert.Empty(times); // every repetition ran
    }

    [Fact]
    public void An_even_count_takes_the_middle_two_and_one_repetition_is_itself()
    {
        var times = new Queue<double>([4.0, 1.0, 2.0, 3.0]);
        Assert.Equal(2.5, Repeated.Median(4, times.Dequeue));
        Assert.Equal(7.0, Repeated.Median(1, () => 7.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Repeated.Median(0, () => 1.0));
    }
}
