using Spectre.Console.Testing;
using Steerability.Coordinator;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Results;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>A command that meets NaN stops with one line and a non-zero exit, and writes no table.</summary>
public sealed class NonFiniteCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-nonfinite-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A tiny generator checkpoint whose every weight is finite but whose output is NaN: a negative batch-norm running
    /// variance puts √(negative) into every image in evaluation mode.
    /// </summary>
    private string CheckpointDrawingNaN() => TinyCheckpoints.Save(_folder, network =>
    {
        using var noGrad = torch.no_grad();
        network.named_buffers().First(b => b.name.EndsWith("running_var", StringComparison.Ordinal)).buffer.fill_(-1f);
    });

    [Theory]
    [InlineData("walk")]
    [InlineData("limits")]
    public void ACommandMeetingNaNStopsWithOneLineAndWritesNoTable(string command)
    {
        var checkpoint = CheckpointDrawingNaN();
        var output = Path.Combine(_folder, "out");
        var errors = new StringWriter();
        var code = SteerApp.Run([command, "--checkpoint", checkpoint, "--transform", "brightness", "--steps", "3", "--batch", "4",
            "--eval-latents", "4", "--device", "cpu", "--out", output], new TestConsole().Width(160), errors);
        Assert.Equal(SteerApp.NonFiniteExitCode, code);
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("steer: walk training: masked_l2 loss is NaN at step 1; stopped without writing its tables", line);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output, "*.parquet", SearchOption.AllDirectories).Any(),
            "no table was written");
    }

    [Fact]
    public async Task ATableWithANaNRowIsRefusedBeforeAnythingIsWritten()
    {
        var path = Path.Combine(_folder, "alpha_metrics.parquet");
        var finite = new WalkMetricRecord("shapes", "circle", "zoom", "linear", PerClass: false, "plain", Alpha: 2, L2Mean: 0.1, L2Std: 0, BaselineL2Mean: 0, BaselineL2Std: 0, N: 4);
        var rows = new List<WalkMetricRecord> { finite, finite with { Class = "ring", L2Mean = double.NaN } };
        var failure = await Assert.ThrowsAsync<NonFiniteValueException>(() => ParquetFile.WriteAtomicallyAsync(path, rows));
        Assert.Equal("writing alpha_metrics.parquet: column l2_mean is NaN at row 1", failure.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public async Task AnUndefinedCorrelationIsNullNotNaN()
    {
        var path = Path.Combine(_folder, "correlation.parquet");
        await ParquetFile.WriteAtomicallyAsync(path, new List<CorrelationRecord> { new("biggan-deep-128", "zoom", "linear", "plain", R: null, P: null, Rho: null, N: 0) });
        var row = Assert.Single(await ParquetFile.ReadAsync<CorrelationRecord>(path));
        Assert.Null(row.R);
        Assert.Null(row.P);
        Assert.Null(row.Rho);
    }
}
