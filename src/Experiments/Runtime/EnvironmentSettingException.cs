namespace Steerability.Experiments.Runtime;

/// <summary>An environment variable the program reads holds a value it does not accept; the message names both, in one line.</summary>
public sealed class EnvironmentSettingException(string message) : Exception(message);
