using Steerability.Coordinator.Cli;
using Steerability.Experiments.Runtime;
using Spectre.Console.Testing;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Cluster;
using Steerability.Coordinator.Tests.Commands;
using Steerability.Coordinator.Tests.Sweeps;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Transforms;

/// <summary>
/// Users' own edits without touching the code: TorchScript compiled at run time (experiments/edits/invert.ts) and
/// compositions of built-in edits declared in a spec (experiments/user-edit.yaml), in `steer walk --edit` and sweeps.
/// </summary>
public sealed class UserEditTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-user-edit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Example(params string[] parts) => Path.Combine([SweepSpecParserTests.RepoRoot(), "experiments", .. parts]);

    private static (int Code, string Errors) Steer(params string[] args)
    {
        var errors = new StringWriter();
        var code = SteerApp.Run(args, new TestConsole().Width(200), errors);
        return (code, errors.ToString());
    }

    private string Broken(string name, string source, string? json = null)
    {
        var path = Path.Combine(_folder, name + ".ts");
        File.WriteAllText(path, source);
        File.WriteAllText(Path.ChangeExtension(path, ".json"), json ?? File.ReadAllText(Example("edits", "invert.json")).Replace("\"invert\"", $"\"{name}\""));
        return path;
    }

    [Fact]
    public void The_example_edit_compiles_and_does_what_its_source_says()
    {
        var edit = UserEdits.LoadFile(Example("edits", "invert.ts"));
        Assert.Equal("invert", edit.Name);
        Assert.False(edit.HasAttribute);
        var images = torch.rand(3, 3, 8, 8) * 2 - 1;
        var result = edit.Apply(images, torch.tensor(new float[] { 0, 0.5f, 1 }).view(-1, 1));
        Assert.True(result.Images[0].equal(images[0]).all().item<bool>());                       // the identity, bit for bit
        Assert.Equal(0.0, result.Images[1].abs().max().item<float>(), 6);
        Assert.True(result.Images[2].allclose(-images[2]));
        Assert.Equal(1.0, result.Mask.min().item<float>());
        // What a trial carries rebuilds the same edit on a worker.
        var rebuilt = UserEdits.FromWire(UserEdits.WireOf(edit));
        Assert.True(rebuilt.Apply(images, torch.full(3, 1, 0.25f)).Images.allclose(result.Images[1..2].expand(3, -1, -1, -1) * 0 + images * 0.5f));
    }

    [Theory]
    [InlineData("syntax", "def edit(images, alpha)\n    return images, images\n", "does not compile")]
    [InlineData("signature", "def edit(images):\n    return images, torch.ones_like(images)\n", "calling edit(images, alpha) failed")]
    [InlineData("shape", "def edit(images, alpha):\n    return images[:, :1], torch.ones_like(images)\n", "returned shapes")]
    [InlineData("nan", "def edit(images, alpha):\n    return images * float('nan'), torch.ones_like(images)\n", "non-finite")]
    [InlineData("single", "def edit(images, alpha):\n    return images\n", "a pair of tensors")]
    public void A_broken_edit_file_is_one_line_and_exit_2_before_anything_is_written(string name, string source, string expected)
    {
        var path = Broken(name, source);
        var output = Path.Combine(_folder, "out-" + name);
        var (code, errors) = Steer("walk", "--edit", path, "--steps", "1", "--device", "cpu", "--out", output);
        Assert.Equal(2, code);
        Assert.Contains(expected, errors);
        Assert.StartsWith("steer: --edit: " + path, errors.Trim());
        Assert.Single(errors.Trim().Split('\n'));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_broken_edit_settings_file_is_refused_naming_the_field()
    {
        var path = Broken("badjson", File.ReadAllText(Example("edits", "invert.ts")), """{"name": "badjson", "identity_alpha": 0, "training_range": [1, 0], "test_grid": [0, 1]}""");
        var (code, errors) = Steer("walk", "--edit", path, "--device", "cpu", "--out", Path.Combine(_folder, "out"));
        Assert.Equal(2, code);
        Assert.Contains("training_range", errors);
        var missing = Path.Combine(_folder, "alone.ts");
        File.WriteAllText(missing, File.ReadAllText(Example("edits", "invert.ts")));
        Assert.Contains("alone.json: missing", Steer("walk", "--edit", missing, "--device", "cpu", "--out", Path.Combine(_folder, "out")).Errors);
    }

    [Fact]
    public async Task Steer_walk_takes_a_users_edit()
    {
        var checkpoint = TinyCheckpoints.Save(_folder);
        var output = Path.Combine(_folder, "walk");
        var (code, errors) = Steer("walk", "--checkpoint", checkpoint, "--edit", Example("edits", "invert.ts"), "--steps", "2", "--batch", "4",
            "--eval-latents", "2", "--device", "cpu", "--out", output);
        Assert.True(code == 0, errors);
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], rows.Where(r => r.Class == "all").Select(r => r.Alpha));
        Assert.All(rows, r => Assert.Equal("invert", r.Transform));
        Assert.All(rows.Where(r => r.Alpha == 0), r => Assert.Equal(0.0, r.L2Mean));
        Assert.All(rows.Where(r => r.Alpha > 0), r => Assert.True(r.BaselineL2Mean > 0));
        Assert.Equal(2, Steer("limits", "--checkpoint", checkpoint, "--edit", Example("edits", "invert.ts"), "--device", "cpu", "--out", Path.Combine(_folder, "limits")).Code);
    }

    [Fact]
    public void A_composition_applies_its_steps_in_order_each_on_its_own_scale()
    {
        var composed = new ComposedEdit("zoom-then-shiftx", [new("zoom", 0.5), new("shiftx", 8)], "test");
        var images = torch.rand(2, 3, 32, 32) * 2 - 1;
        var t = torch.tensor(new float[] { 0.5f, -1 }).view(-1, 1);
        var expected = TransformCatalog.Create("shiftx").Apply(TransformCatalog.Create("zoom").Apply(images, torch.tensor(new float[] { 1.25f, 0.5f }).view(-1, 1)).Images,
            torch.tensor(new float[] { 4, -8 }).view(-1, 1));
        var result = composed.Apply(images, t);
        Assert.True(result.Images.allclose(expected.Images));
        Assert.True(result.Mask.sum().item<float>() < expected.Mask.sum().item<float>());   // zoom's padding stays undefined
        Assert.Throws<EditFileException>(() => new ComposedEdit("bad", [new("zoom", 1), new("shiftx", 8)], "test"));   // zoom would reach α = 0
        Assert.Throws<EditFileException>(() => new ComposedEdit("zoom", [new("zoom", 0.5), new("shiftx", 8)], "test"));
    }

    [Fact]
    public async Task The_example_spec_runs_a_scripted_edit_and_a_composition_end_to_end()
    {
        using var fixture = new SweepFixture();
        File.Copy(Example("user-edit.yaml"), fixture.SpecPath, overwrite: true);
        Directory.CreateDirectory(Path.Combine(fixture.Root, "edits"));
        foreach (var file in Directory.GetFiles(Example("edits")))
        {
            File.Copy(file, Path.Combine(fixture.Root, "edits", Path.GetFileName(file)));
        }
        var plan = fixture.Plan();
        Assert.All(plan.Trials.Where(t => t.Kind == "walk"), t => Assert.NotEmpty(t.UserEdit));
        var coordinator = SweepFixture.Coordinator with { Ledger = SweepFixture.Coordinator.Ledger with { LeaseTimeout = TimeSpan.FromSeconds(60) } };
        await using (var host = SweepHost.StartEmbedded(plan, coordinator, SweepFixture.Worker, new WalkTrialRunner(new SteerPaths(Path.Combine(fixture.Root, "home"))), 1, "cpu"))
        {
            // A guard against a hung sweep, not a speed test.
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        var result = await SweepQuery.RunAsync(plan.SweepDir, "SELECT transform, count(*), min(alpha), max(alpha) FROM alpha_metrics WHERE class = 'all' GROUP BY transform ORDER BY transform");
        Assert.Equal(2, result.Rows.Count);
        Assert.Equal(["invert", 5L, 0.0, 1.0], result.Rows[0].Select(v => v is int i ? (object)(long)i : v));
        Assert.Equal(["zoom-then-shiftx", 9L, -1.0, 1.0], result.Rows[1].Select(v => v is int i ? (object)(long)i : v));
        // A sweep spec with a broken edit is refused at its line, naming the field.
        File.WriteAllText(Path.Combine(fixture.Root, "edits", "invert.ts"), "def edit(images, alpha)\n");
        var error = Assert.Throws<InputException>(() => SweepSpecParser.ParseFile(fixture.SpecPath));
        Assert.Contains("edits[0]", error.Message);
        Assert.Contains("does not compile", error.Message);
    }
}
