using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Registers the sweep commands: run, coordinator, node, status, query, report, compact, bench orchestration.</summary>
public static class SweepCommandRegistration
{
    public static void AddSweepCommands(IConfigurator config)
    {
        config.AddCommand<RunCommand>("run").WithDescription("Run a sweep spec here (coordinator and local workers in one process); run again to resume");
        config.AddCommand<CoordinatorCommand>("coordinator").WithDescription("Coordinate a sweep for nodes in other processes or machines");
        config.AddCommand<NodeCommand>("node").WithDescription("Join a coordinator and run trials, one worker per device");
        config.AddCommand<StatusCommand>("status").WithDescription("Show a sweep's trials by status");
        config.AddCommand<QueryCommand>("query").WithDescription("Run DuckDB SQL over a sweep's tables");
        config.AddCommand<ReportCommand>("report").WithDescription("Write DIR/report/index.html: summary, L2 vs α plots, walk strips, trials");
        config.AddCommand<CompactCommand>("compact").WithDescription("Merge a sweep's small Parquet files");
    }

    /// <summary>The orchestration benchmark, separate so that a `bench` branch defined elsewhere can include it.</summary>
    public static void AddBenchCommands(IConfigurator<CommandSettings> bench)
    {
        bench.AddCommand<BenchOrchestrationCommand>("orchestration").WithDescription("Measure the orchestration with trials that do no work");
    }
}
