using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Experiments.Runs;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Experiments.Runs;

/// <summary>A run's identity (its hash) is what a sweep reuses finished runs by, so an option added later must leave the
/// identity of runs made before it unchanged as long as it sits at the value that behaves as before.</summary>
public class RunIdentityTests
{
    [Fact]
    public void D3s_default_options_keep_the_identity_they_had_before_the_hinge_signal_option()
    {
        var resolved = (IDefenseOptions)new D3Options().Resolved();
        string json = System.Text.Json.JsonSerializer.Serialize(resolved, RunJson.Options);
        Assert.DoesNotContain("signal", json);
        // The hash of the default D3 options as run folders stored them before --d3-dual-signal existed (checked against a
        // sweep folder of that time: its D3 runs were reused, not run again).
        Assert.Equal("a06b04f0d21b9de2", RunRecord.Hash(resolved));

        var batches = (IDefenseOptions)new D3Options(Dual: new DualAscentOptions(Signal: HingeSignal.Batches)).Resolved();
        Assert.Contains("\"signal\": \"batches\"", System.Text.Json.JsonSerializer.Serialize(batches, RunJson.Options));
        Assert.NotEqual(RunRecord.Hash(resolved), RunRecord.Hash(batches));
        using var temp = new TempDirectory();
        RunJson.Write(temp.File("options.json"), batches);
        Assert.Equal(HingeSignal.Batches, ((D3Options)RunJson.Read<IDefenseOptions>(temp.File("options.json"))).DualOrDefault.Signal);
    }
}
