using System.Text.RegularExpressions;
using Steerability.Coordinator.Tests.Sweeps;
using Steerability.Experiments.Families;
using Xunit;

namespace Steerability.Coordinator.Tests.Catalogs;

/// <summary>
/// A generator family lives in its own folder: no line of src/ outside it names the family (its name as a string, its
/// namespace, or a type declared in its folder), except its one registration line in the registry.
/// </summary>
public sealed class FamilySeamTests
{
    private const string Registry = "src/Experiments/Families/GeneratorFamilies.cs";

    /// <summary>What names a family in code: its name literal, its folder's namespace, and the types its folder declares.</summary>
    private static Regex NamesOf(IGeneratorFamily family, string root)
    {
        var folder = FolderOf(family, root);
        var types = Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs")
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), @"\b(?:class|record|enum|interface|struct)\s+([A-Z]\w*)").Select(m => m.Groups[1].Value))
            .Distinct();
        var alternatives = string.Join("|", new[] { Regex.Escape($"\"{family.Name}\""), Regex.Escape(family.GetType().Namespace!) + @"\b" }
            .Concat(types.Select(t => $@"\b{t}\b")));
        return new Regex(alternatives);
    }

    private static string FolderOf(IGeneratorFamily family, string root) =>
        "src/Experiments/Families/" + family.GetType().Namespace!.Split('.').Last() + "/";

    /// <summary>Lines of <paramref name="text"/> (a file at <paramref name="relative"/>) that name <paramref name="family"/> outside its folder.</summary>
    private static IEnumerable<string> Violations(IGeneratorFamily family, Regex names, string relative, string text, string root)
    {
        if (relative.StartsWith(FolderOf(family, root), StringComparison.Ordinal))
        {
            return [];
        }
        var lines = text.Split('\n');
        return lines.Select((line, i) => (line, i))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && !l.line.TrimStart().StartsWith("using ", StringComparison.Ordinal) && names.IsMatch(l.line))
            // The registry names each family once, in its registration line (and the default family by its name constant).
            .Where(l => !(relative == Registry && (l.line.Trim() == $"new {family.GetType().Namespace!.Split('.').Last()}.{family.GetType().Name}()," || l.line.Contains("DefaultName =", StringComparison.Ordinal))))
            .Select(l => $"{relative}:{l.i + 1}: {l.line.Trim()}");
    }

    [Fact]
    public void No_line_outside_a_familys_folder_names_it_but_its_registration()
    {
        var root = SweepSpecParserTests.RepoRoot();
        var found = new List<string>();
        foreach (var family in GeneratorFamilies.All)
        {
            var names = NamesOf(family, root);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (relative.Contains("/obj/") || relative.Contains("/bin/"))
                {
                    continue;
                }
                found.AddRange(Violations(family, names, relative, File.ReadAllText(file), root));
            }
        }
        Assert.True(found.Count == 0, $"{found.Count} lines name a family outside its folder:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void The_scan_catches_a_planted_violation_and_lets_the_registration_line_pass()
    {
        var root = SweepSpecParserTests.RepoRoot();
        foreach (var family in GeneratorFamilies.All)
        {
            var names = NamesOf(family, root);
            var planted = $"class Runner\n{{\n    bool Special(string model) => model == \"{family.Name}\";\n}}\n";
            Assert.Single(Violations(family, names, "src/GpuNode/Trials/Planted.cs", planted, root));
            var typed = $"var family = new {family.GetType().Name}();\n";
            Assert.Single(Violations(family, names, "src/Coordinator/Commands/Planted.cs", typed, root));
            Assert.Empty(Violations(family, names, Registry, $"        new {family.GetType().Namespace!.Split('.').Last()}.{family.GetType().Name}(),\n", root));
            Assert.Empty(Violations(family, names, FolderOf(family, root) + "Inside.cs", planted, root));
        }
    }
}
