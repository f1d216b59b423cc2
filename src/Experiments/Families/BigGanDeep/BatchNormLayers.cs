using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>
/// Batch norm whose statistics were precomputed for evenly spaced truncation values in [0, 1] (`running_means`,
/// `running_vars`, [S, C]) and are picked by truncation, never updated. The statistics for the selected truncation
/// are derived once and cached, so a forward pass does no interpolation.
/// </summary>
public abstract class TruncationStatisticsBatchNorm : PortLayoutModule
{
    // Not readonly: TorchSharp's Module.to(...) replaces registered tensors and assigns them to the matching fields.
    [ComponentName(Name = "running_means")]
    private Tensor _runningMeans;

    [ComponentName(Name = "running_vars")]
    private Tensor _runningVariances;

    private readonly int _statisticsCount;
    private double? _selectedTruncation;

    /// <summary>Mean, variance and sqrt(variance + eps) [C] for the selected truncation; derived, never saved.</summary>
    private (Tensor Mean, Tensor Variance, Tensor StandardDeviation)? _selected;

    /// <summary>Creates statistics for <paramref name="featureCount"/> channels at <paramref name="statisticsCount"/> truncation values.</summary>
    protected TruncationStatisticsBatchNorm(string name, int featureCount, int statisticsCount, double epsilon) : base(name)
    {
        Epsilon = epsilon;
        _statisticsCount = statisticsCount;
        _runningMeans = torch.zeros(statisticsCount, featureCount);      // [S, C]
        _runningVariances = torch.ones(statisticsCount, featureCount);   // [S, C]
        register_buffer("running_means", _runningMeans);
        register_buffer("running_vars", _runningVariances);
    }

    /// <summary>Added to the variance before the square root.</summary>
    protected double Epsilon { get; }

    /// <summary>The selected truncation's statistics [C] on the module's device and dtype.</summary>
    protected (Tensor Mean, Tensor Variance, Tensor StandardDeviation) Selected
    {
        get
        {
            if (_selectedTruncation is not double truncation)
            {
                throw new InvalidOperationException("SelectTruncation must be called before the batch norm is used");
            }
            if (_selected is not { } selected
                || selected.Mean.dtype != _runningMeans.dtype
                || selected.Mean.device_type != _runningMeans.device_type
                || selected.Mean.device_index != _runningMeans.device_index)
            {
                DeriveStatistics(truncation);
            }
            return _selected!.Value;
        }
    }

    /// <summary>
    /// Where a truncation falls among the statistics, computed as the port does: q = truncation / step with
    /// step = 1 / (S − 1); index = ⌊q⌋, fraction = q − ⌊q⌋. The port then weights index by the fraction and
    /// index + 1 by (1 − fraction) — not textbook linear interpolation, but what the published models were run with.
    /// </summary>
    public static (int Index, double Fraction) StatisticsPosition(double truncation, int statisticsCount)
    {
        if (!(truncation > 0 && truncation <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "truncation must be in (0, 1]");
        }
        var step = 1.0 / (statisticsCount - 1);
        var quotient = truncation / step;
        var index = (int)Math.Floor(quotient);
        var fraction = quotient - index;
        if (index >= statisticsCount - 1)
        {
            // Only truncation = 1 (or rounding just under it) lands here: use the last statistics as they are.
            return (statisticsCount - 1, 0.0);
        }
        return (index, fraction);
    }

    /// <summary>Selects the statistics for <paramref name="truncation"/> in (0, 1].</summary>
    public void SelectTruncation(double truncation)
    {
        StatisticsPosition(truncation, _statisticsCount);   // validates before anything changes
        _selectedTruncation = truncation;
        DeriveStatistics(truncation);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseSelected();
        }
        base.Dispose(disposing);
    }

    private void DeriveStatistics(double truncation)
    {
        var (index, fraction) = StatisticsPosition(truncation, _statisticsCount);
        using var noGrad = torch.no_grad();
        Tensor mean;
        Tensor variance;
        Tensor standardDeviation;
        using (var scope = torch.NewDisposeScope())
        {
            if (fraction != 0.0)
            {
                mean = _runningMeans[index] * fraction + _runningMeans[index + 1] * (1 - fraction);               // [C]
                variance = _runningVariances[index] * fraction + _runningVariances[index + 1] * (1 - fraction);   // [C]
            }
            else
            {
                mean = _runningMeans[index].clone();
                variance = _runningVariances[index].clone();
            }
            standardDeviation = torch.sqrt(variance + Epsilon);
            mean.MoveToOuterDisposeScope();
            variance.MoveToOuterDisposeScope();
            standardDeviation.MoveToOuterDisposeScope();
        }
        ReleaseSelected();
        // Kept beyond any dispose scope the caller (e.g. a forward pass) may be in.
        _selected = (mean.DetachFromDisposeScope(), variance.DetachFromDisposeScope(), standardDeviation.DetachFromDisposeScope());
    }

    private void ReleaseSelected()
    {
        if (_selected is { } selected)
        {
            selected.Mean.Dispose();
            selected.Variance.Dispose();
            selected.StandardDeviation.Dispose();
            _selected = null;
        }
    }
}

/// <summary>
/// Class- and latent-conditional batch norm: (x − μ_t) / sqrt(σ²_t + eps) · (1 + scale(c)) + offset(c), where scale
/// and offset are spectrally normalised linear maps of the condition vector c and μ_t, σ²_t the truncation's statistics.
/// </summary>
public sealed class ConditionalBatchNorm : TruncationStatisticsBatchNorm
{
    private readonly SpectralNormLinear _scale;
    private readonly SpectralNormLinear _offset;

    /// <summary>Creates the norm for <paramref name="featureCount"/> channels conditioned on vectors of <paramref name="conditionSize"/>.</summary>
    public ConditionalBatchNorm(int featureCount, int conditionSize, int statisticsCount, double epsilon)
        : base(nameof(ConditionalBatchNorm), featureCount, statisticsCount, epsilon)
    {
        _scale = new SpectralNormLinear(conditionSize, featureCount, hasBias: false);
        _offset = new SpectralNormLinear(conditionSize, featureCount, hasBias: false);
        register_module("scale", _scale);
        register_module("offset", _offset);
    }

    /// <summary>input [N, C, H, W], condition [N, cond] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input, Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        var gain = (_scale.Forward(condition) + 1).unsqueeze(-1).unsqueeze(-1);    // [N, C, 1, 1]
        var shift = _offset.Forward(condition).unsqueeze(-1).unsqueeze(-1);       // [N, C, 1, 1]
        var statistics = Selected;
        var mean = statistics.Mean.view(1, -1, 1, 1);                              // [1, C, 1, 1]
        var standardDeviation = statistics.StandardDeviation.view(1, -1, 1, 1);    // [1, C, 1, 1]
        return ((input - mean) / standardDeviation * gain + shift).MoveToOuterDisposeScope();
    }
}

/// <summary>Unconditional batch norm with a learned per-channel weight and bias (the generator's last norm).</summary>
public sealed class AffineBatchNorm : TruncationStatisticsBatchNorm
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    [ComponentName(Name = "bias")]
    private Parameter _bias;

    /// <summary>Creates the norm for <paramref name="featureCount"/> channels.</summary>
    public AffineBatchNorm(int featureCount, int statisticsCount, double epsilon)
        : base(nameof(AffineBatchNorm), featureCount, statisticsCount, epsilon)
    {
        _weight = new Parameter(torch.ones(featureCount), requires_grad: false);
        _bias = new Parameter(torch.zeros(featureCount), requires_grad: false);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
    }

    /// <summary>input [N, C, H, W] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input)
    {
        var statistics = Selected;
        return nn.functional.batch_norm(input, statistics.Mean, statistics.Variance, _weight, _bias, training: false, momentum: 0.0, eps: Epsilon);
    }
}
