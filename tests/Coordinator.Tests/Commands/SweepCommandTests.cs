using Spectre.Console.Testing;
using Xunit;

namespace Steerability.Coordinator.Tests.Commands;

public sealed class SweepCommandTests
{
    [Fact]
    public void Run_with_a_bad_spec_exits_2_and_writes_nothing()
    {
        var root = Path.Combine(Path.GetTempPath(), "steer-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var spec = Path.Combine(root, "bad.yaml");
            File.WriteAllText(spec, "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nwalks: [cubic]\n");
            var output = Path.Combine(root, "out");

            var code = SteerApp.Run(["run", spec, "--out", output], new TestConsole());

            Assert.Equal(SteerApp.InputErrorExitCode, code);
            Assert.False(Directory.Exists(output), "a bad spec must write nothing");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Run_then_rerun_resumes_and_query_reads_the_partitioned_tables()
    {
        var root = Path.Combine(Path.GetTempPath(), "steer-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var spec = Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "experiments", "quickstart.yaml");
            var output = Path.Combine(root, "out");
            var first = new TestConsole();
            Assert.Equal(0, SteerApp.Run(["run", spec, "--out", output, "--workers", "2", "--runner", "synthetic"], first));
            Assert.Contains("5/5 done", first.Output);

            var again = new TestConsole();
            Assert.Equal(0, SteerApp.Run(["run", spec, "--out", output, "--runner", "synthetic"], again));
            Assert.Contains("5/5 done", again.Output);

            var query = new TestConsole();
            Assert.Equal(0, SteerApp.Run(["query", Path.Combine(output, "quickstart"),
                "SELECT count(DISTINCT trial_key) AS trials, count(*) AS rows FROM alpha_metrics WHERE regime = 'plain'"], query));
            // One row per α of each walk's paper grid: zoom 13 (linear) + 9 (nonlinear), shiftx 9 + 9.
            Assert.Contains("4\t40", query.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
