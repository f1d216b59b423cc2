using System.Globalization;
using Spectre.Console.Testing;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
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

    [Fact]
    public void WalkHelpListsEachEditsLinearAndNonlinearRate()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 2000;                                                       // one line per paragraph

        Assert.Equal(0, SteerApp.Run(["walk", "--help"], console));

        var output = console.Output;
        foreach (var name in TransformCatalog.Names)
        {
            var edit = TransformCatalog.Create(name);
            var linear = WalkSettings.Project.Linear.RateFor(edit).Rate.ToString("G3", CultureInfo.InvariantCulture);
            var nonlinear = WalkSettings.Project.Nonlinear.RateFor(edit.NonlinearEdit).Rate.ToString("G3", CultureInfo.InvariantCulture);
            Assert.Contains($"{name} {linear} / {nonlinear}", output);
        }
        Assert.Contains("zoom 0.1 / 0.0001", output);
        Assert.Contains("color 0.05 / 0.001", output);
        Assert.Contains("halves to even", output);
    }
}
