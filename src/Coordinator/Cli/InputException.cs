namespace Steerability.Coordinator.Cli;

/// <summary>
/// A user-facing input (flag, spec file, model file, data) is wrong. The message is one line that names the input,
/// the bad value and what is accepted; the command line prints it and exits with code 2, having written nothing.
/// </summary>
public sealed class InputException(string message) : Exception(message);
