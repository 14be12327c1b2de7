using Antidote.Core;
using Antidote.Core.IO;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Core;

public class StagingDirectoryTests
{
    [Fact]
    public void An_uncommitted_run_leaves_nothing_behind()
    {
        using var temp = new TempDirectory();
        using (var staging = new StagingDirectory(temp.File("run"), replaceExisting: false))
            File.WriteAllText(staging.File("half.txt"), "x");
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Commit_moves_the_files_into_place_and_force_replaces_an_old_run()
    {
        using var temp = new TempDirectory();
        string final = temp.File("run");
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "old.txt"), "old");
        Assert.Throws<AntidoteException>(() => new StagingDirectory(final, replaceExisting: false));
        using (var staging = new StagingDirectory(final, replaceExisting: true))
        {
            File.WriteAllText(staging.File("new.txt"), "new");
            staging.Commit();
        }
        Assert.Equal(["new.txt"], Directory.GetFiles(final).Select(Path.GetFileName));
        Assert.Single(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Staging_folders_of_processes_that_are_gone_are_removed_and_those_of_live_ones_kept()
    {
        using var temp = new TempDirectory();
        int gone;
        using (var exited = System.Diagnostics.Process.Start("true")!)
        {
            exited.WaitForExit();
            gone = exited.Id;
        }
        string abandoned = temp.File($".old.tmp-{gone}-{Guid.NewGuid():N}");
        string live = temp.File($".busy.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(abandoned);
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(abandoned, "config.json"), "{}");

        using (new StagingDirectory(temp.File("run"), replaceExisting: false)) { }

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(live));
    }
}
