using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Runtime;

/// <summary>
/// Checks for NaN and infinity at each stage, cheaply: values already read to the host are checked as numbers, and a
/// set of tensors is reduced to one flag each on its device and read in one transfer (a training loop does this at
/// the checkpoints a <see cref="StepWatch"/> sets).
/// </summary>
public static class FiniteGuard
{
    /// <summary>Throws when <paramref name="value"/> is NaN or infinite.</summary>
    public static void Number(double value, string stage, string step, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new NonFiniteValueException(stage, step, name, Describe(value));
        }
    }

    /// <summary>Throws on the first NaN or infinite value of <paramref name="values"/>.</summary>
    public static void Numbers(IEnumerable<double> values, string stage, string step, string name)
    {
        foreach (var value in values)
        {
            Number(value, stage, step, name);
        }
    }

    /// <summary>Throws when any element of any named tensor is not finite (one device sync for all of them).</summary>
    public static void Tensors(IEnumerable<(string Name, Tensor? Value)> tensors, string stage, string step)
    {
        var named = tensors.Where(t => t.Value is not null).ToList();
        if (named.Count == 0)
        {
            return;
        }
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var flags = torch.stack(named.Select(t => t.Value!.detach().isfinite().all()).ToArray()).cpu().data<bool>().ToArray();
        var bad = Array.IndexOf(flags, false);
        if (bad >= 0)
        {
            var value = named[bad].Value!.detach();
            var detail = value.isnan().any().item<bool>() ? "NaN" : "infinite";
            throw new NonFiniteValueException(stage, step, named[bad].Name, detail);
        }
    }

    /// <summary>A module's parameters and floating-point buffers (batch-norm statistics included), named "OWNER NAME" for a failure message.</summary>
    public static IEnumerable<(string Name, Tensor? Value)> ModuleTensors(string owner, nn.Module module) =>
        module.named_parameters().Select(p => ($"{owner} {p.name}", (Tensor?)p.parameter))
            .Concat(module.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => ($"{owner} {b.name}", (Tensor?)b.buffer)));

    /// <summary>"NaN", "+∞" or "−∞".</summary>
    public static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+∞" : "−∞";
}
