namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// The sweep folder cannot be used now: another coordinator holds its lock, or its ledger is unreadable. The command
/// line prints the one-line message and exits with <see cref="SteerApp.SweepFolderExitCode"/>, having changed nothing.
/// </summary>
public sealed class SweepFolderException(string message) : Exception(message);
