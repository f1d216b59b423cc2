using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Cli;
using Steerability.Experiments.ModelFiles;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Runtime;

namespace Steerability.Coordinator;

/// <summary>Builds the `steer` command tree and maps input errors to one line and exit code 2.</summary>
public static class SteerApp
{
    public const int InputErrorExitCode = 2;

    /// <summary>A loss, output or metric came out NaN or infinite: the run stopped without writing its tables.</summary>
    public const int NonFiniteExitCode = 4;

    /// <summary>The sweep folder is in use by another coordinator, or its ledger is damaged: nothing was changed.</summary>
    public const int SweepFolderExitCode = 5;

    /// <summary>The command was stopped by SIGINT or SIGTERM (128 + 2, as shells report an interrupted program).</summary>
    public const int StoppedExitCode = 130;

    public static int Run(string[] args, IAnsiConsole console, TextWriter? errors = null, CancellationToken stop = default)
    {
        var app = new CommandApp(new Cli.ConsoleTypeRegistrar(console));
        app.Configure(config =>
        {
            config.SetApplicationName("steer");
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            // An unknown flag is an error, not a "remaining argument" silently ignored.
            config.UseStrictParsing();
            Commands.CommandRegistration.AddCoreCommands(config);
            Commands.SweepCommandRegistration.AddSweepCommands(config);
        });
        try
        {
            return app.Run(args, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            console.Profile.Out.Writer.Flush();
            (errors ?? Console.Error).WriteLine("steer: stopped by a signal (SIGINT or SIGTERM); what was recorded is kept, run it again to resume");
            return StoppedExitCode;
        }
        catch (Sweeps.CoordinatorFailedException e)
        {
            console.Profile.Out.Writer.Flush();
            (errors ?? Console.Error).WriteLine($"steer: {OneLine(e.Message)}");
            return Sweeps.CoordinatorFailedException.ExitCode;
        }
        catch (Exception e) when (e is InputException or DeviceUnavailableException or EnvironmentSettingException or CommandParseException or CommandRuntimeException
            or Steerability.Experiments.Data.DataUnavailableException or Steerability.Experiments.Generators.CheckpointException
            or Steerability.Experiments.ModelFiles.ModelFileException)
        {
            console.Profile.Out.Writer.Flush();
            (errors ?? Console.Error).WriteLine($"steer: {OneLine(e.Message)}");
            return InputErrorExitCode;
        }
        catch (Sweeps.SweepFolderException e)
        {
            console.Profile.Out.Writer.Flush();
            (errors ?? Console.Error).WriteLine($"steer: {OneLine(e.Message)}");
            return SweepFolderExitCode;
        }
        catch (Steerability.Experiments.Runtime.NonFiniteValueException e)
        {
            console.Profile.Out.Writer.Flush();
            (errors ?? Console.Error).WriteLine($"steer: {OneLine(e.Message)}; stopped without writing its tables");
            return NonFiniteExitCode;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
