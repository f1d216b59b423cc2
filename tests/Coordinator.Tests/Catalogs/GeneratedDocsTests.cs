using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Tests.Sweeps;
using Xunit;

namespace Steerability.Coordinator.Tests.Catalogs;

/// <summary>Docs that list models, edits or defaults hold what the registries say, not a copy that drifts.</summary>
public sealed class GeneratedDocsTests
{
    [Fact]
    public void The_models_and_edits_tables_in_docs_commands_are_the_registries_own()
    {
        var docs = File.ReadAllText(Path.Combine(SweepSpecParserTests.RepoRoot(), "docs", "commands.md"));
        const string Start = "<!-- steer models --markdown -->\n";
        const string End = "\n<!-- end steer models -->";
        var from = docs.IndexOf(Start, StringComparison.Ordinal);
        var to = docs.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "docs/commands.md has no generated models block");
        Assert.Equal(ModelsCommand.Markdown(), docs[(from + Start.Length)..to]);
    }
}
