using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator;

return SteerApp.Run(args, AnsiConsole.Console);
