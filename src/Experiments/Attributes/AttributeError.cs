namespace Steerability.Experiments.Attributes;

/// <summary>One line of a detector's validation: the mean absolute error of one attribute over some classes.</summary>
public sealed record AttributeError(string Attribute, string Unit, string Classes, double MeanAbsoluteError, int Count);
