using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Runtime;

/// <summary>
/// Watches a training loop's losses for NaN and infinity without a device sync per step: each step's losses are kept
/// as device scalars and read together every <see cref="Interval"/> steps (and at the end), when the named parameters
/// are checked too. A fault is reported with the first step whose loss was not finite.
/// </summary>
public sealed class StepWatch : IDisposable
{
    /// <summary>Steps between reads. A wrong step is caught at most this many steps late; on a GPU each read is one sync.</summary>
    public const int Interval = 25;

    private readonly string _stage;
    private readonly Func<IEnumerable<(string Name, Tensor? Value)>> _parameters;
    private readonly List<(int Step, string Name, Tensor Value)> _pending = [];

    /// <param name="stage">The stage named in a failure, e.g. "generator training".</param>
    /// <param name="parameters">The tensors checked at each read (parameters, their gradients).</param>
    public StepWatch(string stage, Func<IEnumerable<(string Name, Tensor? Value)>> parameters)
    {
        _stage = stage;
        _parameters = parameters;
    }

    /// <summary>Keeps <paramref name="loss"/> (a scalar) of <paramref name="step"/>; reads all kept ones every <see cref="Interval"/> steps.</summary>
    public void Record(int step, string name, Tensor loss)
    {
        var kept = loss.detach().clone();
        kept.MoveToOuterDisposeScope();
        _pending.Add((step, name, kept));
    }

    /// <summary>Call after each step's optimiser update: checks at every <see cref="Interval"/>th step and at <paramref name="lastStep"/>.</summary>
    public void EndStep(int step, int lastStep)
    {
        if (step % Interval == 0 || step == lastStep)
        {
            Check(step);
        }
    }

    /// <summary>Reads every kept loss and the parameters now; throws <see cref="NonFiniteValueException"/> on the first fault.</summary>
    public void Check(int step)
    {
        if (_pending.Count > 0)
        {
            double[] values;
            using (var scope = torch.NewDisposeScope())
            {
                values = torch.stack(_pending.Select(p => p.Value.to(ScalarType.Float64)).ToArray()).cpu().data<double>().ToArray();
            }
            var pending = _pending.ToArray();
            Release();
            for (var i = 0; i < values.Length; i++)
            {
                FiniteGuard.Number(values[i], _stage, $"step {pending[i].Step}", pending[i].Name);
            }
        }
        FiniteGuard.Tensors(_parameters(), _stage, $"step {step}");
    }

    private void Release()
    {
        foreach (var pending in _pending)
        {
            pending.Value.Dispose();
        }
        _pending.Clear();
    }

    public void Dispose() => Release();
}
