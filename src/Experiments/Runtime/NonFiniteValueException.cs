namespace Steerability.Experiments.Runtime;

/// <summary>
/// A loss, output, gradient or metric came out NaN or infinite. The message names the stage, the step and the
/// tensor, in one line; the run stops rather than write a number that is not one.
/// </summary>
public sealed class NonFiniteValueException(string stage, string step, string tensor, string detail)
    : Exception($"{stage}: {tensor} is {detail} at {step}")
{
    /// <summary>Which computation: generator training, walk training, joint training, evaluation, limits, writing a table.</summary>
    public string Stage { get; } = stage;

    /// <summary>Where in it: "step 37", "class circle, α 0.5", "row 4".</summary>
    public string Step { get; } = step;

    /// <summary>What was not finite: a loss, a parameter's gradient, a column.</summary>
    public string Tensor { get; } = tensor;
}
