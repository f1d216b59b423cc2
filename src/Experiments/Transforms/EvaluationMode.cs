using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// One way of evaluating a walk along the α grid: which walk dimensions a grid value moves. Its name is the
/// alpha_metrics table's evaluation column; every edit has <see cref="EqualName"/>, the headline table.
/// </summary>
/// <param name="Name">The evaluation column's value.</param>
/// <param name="Description">What a grid value α moves, for help texts and the report.</param>
/// <param name="Alphas">The α [count, Dimensions] for grid value α.</param>
public sealed record EvaluationMode(string Name, string Description, Func<double, int, Tensor> Alphas)
{
    /// <summary>Every walk dimension moved by the same α (the paper's figures; a one-dimensional edit has only this).</summary>
    public const string EqualName = "equal";
}
