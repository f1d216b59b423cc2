namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// The coordinator cannot go on: its ledger failed (more often than `ledger-restarts` allows) or it has not answered
/// within `coordinator-timeout`. `steer run` and `steer coordinator` print the message as one line and exit with
/// <see cref="ExitCode"/>.
/// </summary>
public sealed class CoordinatorFailedException(string message) : Exception(message)
{
    public const int ExitCode = 5;
}
