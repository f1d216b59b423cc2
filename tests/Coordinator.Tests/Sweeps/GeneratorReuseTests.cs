using Steerability.GpuNode.Contract;
using Steerability.Experiments.Families;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Data;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>A sweep's generator trial copies a checkpoint trained before under STEER_HOME with the same key instead of training.</summary>
public sealed class GeneratorReuseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-reuse-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (WalkTrialRunner Runner, TrialContext Context, string Artifacts) Setup()
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(_folder, "artifacts")).FullName;
        var output = Directory.CreateDirectory(Path.Combine(_folder, "output")).FullName;
        return (new WalkTrialRunner(new SteerPaths(Path.Combine(_folder, "home"))), new TrialContext(output, artifacts, null, "cpu", _ => { }), artifacts);
    }

    private string TrainedBefore(GanTrainingOptions recipe)
    {
        var family = GeneratorFamilies.TrainedHere("shapes");
        var (_, folder) = new GeneratorStore(new SteerPaths(Path.Combine(_folder, "home"))).CheckpointFolder(family, FamilyValues.None, recipe, "plain");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "checkpoint.json", "generator.safetensors", "samples.png" })
        {
            File.WriteAllText(Path.Combine(folder, file), "trained before: " + file);
        }
        return folder;
    }

    [Fact]
    public async Task MatchingCheckpointIsCopiedNotTrained()
    {
        var (runner, context, artifacts) = Setup();
        var recipe = GeneratorFamilies.TrainedHere("shapes").Recipe with { Seed = 1 };
        TrainedBefore(recipe);
        var trial = new GeneratorTrial { Model = "shapes", Steps = recipe.Steps, Batch = recipe.Batch, Seed = 1 };

        var outcome = await runner.RunAsync(trial, context, CancellationToken.None);

        Assert.Equal("reused", outcome.ThroughputUnit);
        Assert.Equal("trained before: generator.safetensors", File.ReadAllText(Path.Combine(artifacts, "generator.safetensors")));
        Assert.Equal("trained before: checkpoint.json", File.ReadAllText(Path.Combine(artifacts, "checkpoint.json")));
    }

    [Fact]
    public async Task AnotherSeedTrainsItsOwn()
    {
        var (runner, context, artifacts) = Setup();
        TrainedBefore(GeneratorFamilies.TrainedHere("shapes").Recipe with { Steps = 2, Batch = 4, Seed = 1 });
        var trial = new GeneratorTrial { Model = "shapes", Steps = 2, Batch = 4, Seed = 2 };

        var outcome = await runner.RunAsync(trial, context, CancellationToken.None);

        Assert.Equal("images/s", outcome.ThroughputUnit);
        Assert.StartsWith("{", File.ReadAllText(Path.Combine(artifacts, "checkpoint.json")));
    }
}
