namespace Steerability.Experiments.Transforms;

/// <summary>A user's edit (a TorchScript file, its JSON, or a composition) that cannot be used; the message is one line naming the file and the fault.</summary>
public sealed class EditFileException(string message) : Exception(message);
