using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Experiments.Runs;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Runs;

/// <summary>A run's identity (its hash) is what a sweep reuses finished runs by: a run made under an earlier default must
/// not pass for a run of the new one.</summary>
public class RunIdentityTests
{
    // The hash of the default D3 options as run folders stored them before --d3-dual-signal existed (no "signal" key; λ read
    // a clean pass every epoch), taken from a sweep folder of that time.
    private const string CleanPassRunsBeforeTheOption = "a06b04f0d21b9de2";

    [Fact]
    public void Runs_made_before_the_hinge_signal_option_are_neither_the_new_default_nor_an_explicit_clean_pass()
    {
        var byDefault = (IDefenseOptions)new D3Options().Resolved();
        var cleanPass = (IDefenseOptions)new D3Options(Dual: new DualAscentOptions(Signal: HingeSignal.CleanPass)).Resolved();
        Assert.Equal(HingeSignal.Batches, ((D3Options)byDefault).DualOrDefault.Signal);
        Assert.NotEqual(CleanPassRunsBeforeTheOption, RunRecord.Hash(byDefault));
        Assert.NotEqual(CleanPassRunsBeforeTheOption, RunRecord.Hash(cleanPass));
        Assert.NotEqual(RunRecord.Hash(byDefault), RunRecord.Hash(cleanPass));
    }

    [Theory]
    [InlineData(HingeSignal.Batches, "\"signal\": \"batches\"")]
    [InlineData(HingeSignal.CleanPass, "\"signal\": \"clean-pass\"")]
    public void Every_hinge_signal_is_written_and_reads_back_as_written(HingeSignal signal, string written)
    {
        var options = (IDefenseOptions)new D3Options(Dual: new DualAscentOptions(Signal: signal)).Resolved();
        Assert.Contains(written, System.Text.Json.JsonSerializer.Serialize(options, RunJson.Options));
        using var temp = new TempDirectory();
        RunJson.Write(temp.File("options.json"), options);
        var read = RunJson.Read<IDefenseOptions>(temp.File("options.json"));
        Assert.Equal(signal, ((D3Options)read).DualOrDefault.Signal);
        Assert.Equal(RunRecord.Hash(options), RunRecord.Hash(read.Resolved()));
    }

    [Fact]
    public void The_second_attempt_is_written_into_every_D3_run_so_folders_made_without_it_are_run_again()
    {
        // Folders written before the option have no "relax" key: their stored hash cannot equal one computed over it.
        var byDefault = (IDefenseOptions)new D3Options().Resolved();
        string json = System.Text.Json.JsonSerializer.Serialize(byDefault, RunJson.Options);
        Assert.Contains("\"relax\": {", json);
        Assert.Contains("\"belowDistance\": 0.75", json);
        var oneAttempt = (IDefenseOptions)new D3Options(Relax: new RelaxOptions(Attempts: 0)).Resolved();
        Assert.NotEqual(RunRecord.Hash(byDefault), RunRecord.Hash(oneAttempt));
        using var temp = new TempDirectory();
        RunJson.Write(temp.File("options.json"), oneAttempt);
        var read = RunJson.Read<IDefenseOptions>(temp.File("options.json"));
        Assert.Equal(0, ((D3Options)read).RelaxOrDefault.Attempts);
        Assert.Equal(RunRecord.Hash(oneAttempt), RunRecord.Hash(read.Resolved()));
    }

    [Fact]
    public void The_survival_check_is_written_into_every_default_D3_run_so_folders_made_without_it_are_run_again()
    {
        // Before the check became the default a default run's options had no "survival" key (read back today, that means
        // the check on): every run now says whether it ran, and one without it reads back as one without it.
        var byDefault = (IDefenseOptions)new D3Options().Resolved();
        Assert.Contains("\"check\": true", System.Text.Json.JsonSerializer.Serialize(byDefault, RunJson.Options));
        var onePush = (IDefenseOptions)new D3Options(Survival: new SurvivalCheckOptions(Check: false, Rank: 5)).Resolved();
        Assert.NotEqual(RunRecord.Hash(byDefault), RunRecord.Hash(onePush));
        using (var off = new TempDirectory())
        {
            RunJson.Write(off.File("options.json"), onePush);
            var readOff = RunJson.Read<IDefenseOptions>(off.File("options.json"));
            Assert.False(((D3Options)readOff).SurvivalCheckOrDefault);
            Assert.Equal(RunRecord.Hash(onePush), RunRecord.Hash(readOff.Resolved()));
        }
        using var temp = new TempDirectory();
        RunJson.Write(temp.File("options.json"), byDefault);
        var read = RunJson.Read<IDefenseOptions>(temp.File("options.json"));
        Assert.True(((D3Options)read).SurvivalCheckOrDefault);
        Assert.Equal(RunRecord.Hash(byDefault), RunRecord.Hash(read.Resolved()));
    }
}
