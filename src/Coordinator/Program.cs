using System.Runtime.InteropServices;
using Spectre.Console;
using Steerability.Coordinator;

// SIGINT and SIGTERM (Ctrl+C, docker stop, systemd, timeout) both cancel the command, which shuts its actor system
// down and exits with one line; a second signal ends the process at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext signal)
{
    if (!stop.IsCancellationRequested)
    {
        signal.Cancel = true;
        stop.Cancel();
    }
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return SteerApp.Run(args, AnsiConsole.Console, stop: stop.Token);
