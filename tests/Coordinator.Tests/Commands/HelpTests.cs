using Spectre.Console.Testing;
using Steerability.Coordinator;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>`steer COMMAND --help` renders for every command: option descriptions are Spectre markup, so a stray
/// bracket in one of them breaks the help of every command that uses it.</summary>
public sealed class HelpTests
{
    public static TheoryData<string[]> Commands => new()
    {
        { ["--help"] },
        { ["data", "--help"] }, { ["train", "--help"] }, { ["walk", "--help"] }, { ["limits", "--help"] },
        { ["remedies", "--help"] }, { ["demo", "--help"] }, { ["bench", "walk", "--help"] },
        { ["bench", "orchestration", "--help"] }, { ["run", "--help"] }, { ["coordinator", "--help"] },
        { ["node", "--help"] }, { ["status", "--help"] }, { ["query", "--help"] }, { ["report", "--help"] },
        { ["compact", "--help"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void HelpRendersAndListsOptions(string[] args)
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 200;
        var errors = new StringWriter();

        var code = SteerApp.Run(args, console, errors);

        Assert.Equal(0, code);
        Assert.Equal("", errors.ToString());
        Assert.Contains("USAGE:", console.Output);
    }

    [Fact]
    public void EscapedBracketsShowAsWritten()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 250;

        Assert.Equal(0, SteerApp.Run(["walk", "--help"], console));

        Assert.Contains("[-1,1] or [0,1]", console.Output);
        Assert.Contains("in (0, 1] (default 1)", console.Output);
    }
}
