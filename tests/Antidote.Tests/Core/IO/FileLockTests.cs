using Antidote.Core.IO;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Core.IO;

public class FileLockTests
{
    [Fact]
    public async Task A_second_holder_waits_until_the_first_lets_go()
    {
        using var temp = new TempDirectory();
        string path = temp.File("x.lock");
        var first = FileLock.Acquire(path, CancellationToken.None);
        using var waited = new ManualResetEventSlim();
        var second = Task.Run(() => FileLock.Acquire(path, CancellationToken.None, waited.Set));
        Assert.True(waited.Wait(TimeSpan.FromSeconds(30)), "the second holder did not find the lock taken");
        Assert.False(second.IsCompleted);
        first.Dispose();
        using var got = await second.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Waiting_stops_when_cancelled()
    {
        using var temp = new TempDirectory();
        using var held = FileLock.Acquire(temp.File("x.lock"), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiter = Task.Run(() => FileLock.Acquire(temp.File("x.lock"), cancel.Token, cancel.Cancel));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
    }
}
