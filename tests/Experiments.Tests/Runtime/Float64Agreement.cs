using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Runtime;

/// <summary>
/// Runs one computation in float32 and again in float64 on the same values, and measures how far the float32 output
/// and gradients are from the float64 ones: the way a wrong CPU kernel was found (docs/cpu-kernels.md).
/// </summary>
internal static class Float64Agreement
{
    /// <summary>How one float32 result compares with its float64 counterpart.</summary>
    /// <param name="Name">output, or the input whose gradient this is.</param>
    /// <param name="RelativeError">‖a − b‖ / ‖b‖ over the whole tensor (∞ when the float32 result is not finite).</param>
    /// <param name="OutlierShare">Share of elements with |a − b| above 1e-3·(|b| + max|b|·1e-2).</param>
    public sealed record Difference(string Name, double RelativeError, double OutlierShare);

    /// <summary>
    /// Evaluates <paramref name="operation"/> on <paramref name="inputs"/> (float32, CPU) in both precisions and
    /// back-propagates the same random output gradient; returns the output's and each input's gradient difference.
    /// </summary>
    public static IReadOnlyList<Difference> Compare(Func<Tensor[], Tensor> operation, Tensor[] inputs, string[] names)
    {
        using var scope = torch.NewDisposeScope();
        var (output32, gradients32) = Evaluate(operation, inputs.Select(i => i.detach().clone()).ToArray(), null);
        var outputGradient = torch.randn_like(output32);
        (output32, gradients32) = Evaluate(operation, inputs.Select(i => i.detach().clone()).ToArray(), outputGradient);
        var (output64, gradients64) = Evaluate(operation, inputs.Select(i => i.detach().to(ScalarType.Float64)).ToArray(), outputGradient.to(ScalarType.Float64));
        var differences = new List<Difference> { Measure("output", output32, output64) };
        for (var i = 0; i < inputs.Length; i++)
        {
            if (gradients64[i] is not null)
            {
                differences.Add(Measure($"grad {names[i]}", gradients32[i]!, gradients64[i]!));
            }
        }
        return differences;
    }

    /// <summary>The same comparison for a module's forward pass and its parameters' gradients.</summary>
    /// <param name="build">Builds the module; called twice, and the second copy takes the first one's state.</param>
    /// <param name="forward">The forward pass on the module, given inputs of the module's precision.</param>
    /// <param name="inputs">Float32 inputs; float ones are given in float64 to the float64 copy.</param>
    public static IReadOnlyList<Difference> CompareModule(Func<nn.Module> build, Func<nn.Module, Tensor[], Tensor> forward, Tensor[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        var module32 = build();
        var module64 = build();
        // Copied rather than built under one seed: the global generator is shared with whatever else the process runs.
        module64.load_state_dict(module32.state_dict());
        module64.to(ScalarType.Float64);
        var output32 = forward(module32, inputs);
        var outputGradient = torch.randn_like(output32);
        output32.backward([outputGradient]);
        var output64 = forward(module64, inputs.Select(i => i.is_floating_point() ? i.to(ScalarType.Float64) : i).ToArray());
        output64.backward([outputGradient.to(ScalarType.Float64)]);
        var differences = new List<Difference> { Measure("output", output32, output64) };
        var parameters64 = module64.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in module32.named_parameters())
        {
            if (parameter.grad is { } gradient && parameters64[name].grad is { } gradient64)
            {
                differences.Add(Measure($"grad {name}", gradient, gradient64));
            }
        }
        return differences;
    }

    private static (Tensor Output, Tensor?[] Gradients) Evaluate(Func<Tensor[], Tensor> operation, Tensor[] inputs, Tensor? outputGradient)
    {
        foreach (var input in inputs.Where(i => i.is_floating_point()))
        {
            input.requires_grad_(true);
        }
        var output = operation(inputs);
        if (outputGradient is not null)
        {
            output.backward([outputGradient]);
        }
        return (output.detach(), inputs.Select(i => i.is_floating_point() ? i.grad : null).ToArray());
    }

    private static Difference Measure(string name, Tensor actual, Tensor expected)
    {
        var a = actual.detach().to(ScalarType.Float64);
        var b = expected.detach();
        if (!a.isfinite().all().item<bool>())
        {
            return new Difference(name, double.PositiveInfinity, 1.0);
        }
        var scale = b.abs().max().item<double>();
        var relative = (a - b).norm().item<double>() / Math.Max(b.norm().item<double>(), 1e-30);
        var outliers = ((a - b).abs() > (b.abs() + scale * 1e-2) * 1e-3).to(ScalarType.Float64).mean().item<double>();
        return new Difference(name, relative, outliers);
    }
}
