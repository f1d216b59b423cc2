using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Registers the core science commands (walk, train, bench).</summary>
public static class CommandRegistration
{
    public static void AddCoreCommands(IConfigurator config)
    {
    }
}
