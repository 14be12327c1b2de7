using Antidote.Attacks;
using Antidote.Defenses;
using Antidote.Tests.TestKit;

namespace Antidote.Tests.Cli;

public class ComponentHelpTests
{
    [Fact]
    public void A_commands_help_shows_its_own_options_and_not_every_components()
    {
        var (exit, help, _) = ConsoleCapture.Run("attack", "--help");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("--blended-alpha", help);
        Assert.DoesNotContain("--wanet-", help);
        Assert.Contains("--poison-ratio", help);
        Assert.Contains("antidote list NAME", help);
        Assert.True(help.Split('\n').Length < 45, $"attack --help has {help.Split('\n').Length} lines");
    }

    [Fact]
    public void Help_after_a_named_component_adds_that_components_options_with_defaults()
    {
        var (exit, help, _) = ConsoleCapture.Run("attack", "--attack", "blended", "--model", "preact-resnet18", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("attack blended:", help);
        Assert.Contains("--blended-alpha <number>", help);
        Assert.Contains("[default: 0.2]", help);
        Assert.Contains("--preact-resnet18-width", help);
        Assert.DoesNotContain("--sig-delta", help);

        var defend = ConsoleCapture.Run("defend", "--method", "nc", "--help").Out;
        Assert.Contains("defense nc:", defend);
        Assert.DoesNotContain("--d3-epsilon", defend);
    }

    [Fact]
    public void List_NAME_shows_every_option_of_every_registered_component()
    {
        foreach (var name in AttackCatalog.Default.Names.Concat(DefenseCatalog.Default.Names))
        {
            var (exit, text, err) = ConsoleCapture.Run("list", name);
            Assert.True(exit == 0, err);
            Assert.Contains($" {name}:", text);
            Assert.Contains("source:", text);
        }
        Assert.Contains("--d3-dual-step", ConsoleCapture.Run("list", "d3").Out);
        var unknown = ConsoleCapture.Run("list", "no-such-thing");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("unknown component 'no-such-thing'", unknown.Err);
    }

    [Fact]
    public void Hidden_component_flags_still_parse_and_a_flag_of_another_component_is_still_refused()
    {
        var wrong = ConsoleCapture.Run("defend", "--run", "x", "--method", "ft", "--d3-lambda", "3");
        Assert.Equal(2, wrong.Exit);
        Assert.Contains("--d3-lambda is an option of defense d3, not of ft", wrong.Err);
    }
}
