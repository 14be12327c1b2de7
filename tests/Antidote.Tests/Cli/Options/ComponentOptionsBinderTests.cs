using System.CommandLine;
using Antidote.Cli.Options;
using Antidote.Core;
using Antidote.Defenses;
using Antidote.Defenses.D3;
using Antidote.Defenses.FineTuning;

namespace Antidote.Tests.Cli.Options;

public class ComponentOptionsBinderTests
{
    private static (RegistryOptions<DefenseEntry> Options, ParseResult Result) Parse(params string[] args)
    {
        var options = new RegistryOptions<DefenseEntry>(DefenseCatalog.Default);
        var command = new RootCommand();
        foreach (var option in options.All) command.Options.Add(option);
        return (options, command.Parse(args));
    }

    [Fact]
    public void Flags_given_are_applied_and_the_rest_keep_the_records_defaults()
    {
        var (options, result) = Parse("--d3-lambda-mode", "fixed", "--d3-lambda", "10", "--d3-dual-step", "0.3", "--d3-initialization", "far");
        Assert.Empty(result.Errors);
        var d3 = (D3Options)options.Bind(result, "d3");
        Assert.Equal(new D3Options(LambdaMode: LambdaMode.Fixed, Lambda: 10, Initialization: D3Initialization.Far,
            Dual: new DualAscentOptions(Step: 0.3)), d3);
        Assert.Null(d3.LearningRate); // not given: still the mode's default, not a number copied from somewhere
    }

    [Fact]
    public void Binding_starts_from_a_given_record()
    {
        var (options, result) = Parse("--ft-learning-rate", "0.02");
        var ft = (FineTuningOptions)options.Bind(result, "ft", new FineTuningOptions(Epochs: 7));
        Assert.Equal(new FineTuningOptions(Epochs: 7, LearningRate: 0.02), ft);
    }

    [Fact]
    public void Out_of_range_values_name_the_flag_and_other_components_flags_are_refused()
    {
        var (options, result) = Parse("--d3-early-stop-window", "0");
        Assert.Equal("--d3-early-stop-window must be > 0, got 0", Assert.Throws<AntidoteException>(() => options.Bind(result, "d3")).Message);
        var (ft, wrong) = Parse("--d3-p", "3");
        Assert.Equal("--d3-p is an option of defense d3, not of ft", Assert.Throws<AntidoteException>(() => ft.Bind(wrong, "ft")).Message);
    }

    [Fact]
    public void Field_value_pairs_reach_the_same_fields_as_the_flags()
    {
        var (options, _) = Parse();
        var d3 = (D3Options)options.Parse("d3+lambda-mode=fixed+lambda=10+dual-steps-per-unit=0+early-stop-enabled=true", "--variants");
        Assert.Equal((LambdaMode.Fixed, 10.0, 0, true), (d3.LambdaMode, d3.Lambda, d3.DualOrDefault.StepsPerUnit, d3.EarlyStopOrDefault.Enabled));
        Assert.Equal(new FineTuningOptions(), options.Parse("ft", "--variants"));
        Assert.Contains("--variants 'ft+epochs=x': epochs: 'x' is not an integer", Assert.Throws<AntidoteException>(() => options.Parse("ft+epochs=x", "--variants")).Message);
    }
}
