using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators.BigGanDeep;

/// <summary>
/// Batch norm whose statistics were precomputed for evenly spaced truncation values in [0, 1] (`running_means`,
/// `running_vars`, [S, C]) and are picked by truncation, never updated. The statistics for the chosen truncation
/// are cached in non-persistent buffers so a forward pass does no interpolation.
/// </summary>
public abstract class TruncationStatisticsBatchNorm : PortLayoutModule
{
    private readonly Tensor _runningMeans;
    private readonly Tensor _runningVariances;
    private readonly Tensor _selectedMean;
    private readonly Tensor _selectedVariance;
    private readonly Tensor _selectedStandardDeviation;
    private readonly int _statisticsCount;
    private double? _selectedTruncation;

    /// <summary>Creates statistics for <paramref name="featureCount"/> channels at <paramref name="statisticsCount"/> truncation values.</summary>
    protected TruncationStatisticsBatchNorm(string name, int featureCount, int statisticsCount, double epsilon) : base(name)
    {
        Epsilon = epsilon;
        _statisticsCount = statisticsCount;
        _runningMeans = torch.zeros(statisticsCount, featureCount);      // [S, C]
        _runningVariances = torch.ones(statisticsCount, featureCount);   // [S, C]
        _selectedMean = torch.zeros(featureCount);                       // [C]
        _selectedVariance = torch.ones(featureCount);                    // [C]
        _selectedStandardDeviation = torch.ones(featureCount);           // [C]
        register_buffer("running_means", _runningMeans);
        register_buffer("running_vars", _runningVariances);
        register_buffer("mean_at_truncation", _selectedMean, persistent: false);
        register_buffer("var_at_truncation", _selectedVariance, persistent: false);
        register_buffer("std_at_truncation", _selectedStandardDeviation, persistent: false);
    }

    /// <summary>Added to the variance before the square root.</summary>
    protected double Epsilon { get; }

    /// <summary>Mean [C] for the selected truncation.</summary>
    protected Tensor SelectedMean => EnsureSelected(_selectedMean);

    /// <summary>Variance [C] for the selected truncation.</summary>
    protected Tensor SelectedVariance => EnsureSelected(_selectedVariance);

    /// <summary>sqrt(variance + eps) [C] for the selected truncation.</summary>
    protected Tensor SelectedStandardDeviation => EnsureSelected(_selectedStandardDeviation);

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

    /// <summary>Selects (and caches) the statistics for <paramref name="truncation"/> in (0, 1].</summary>
    public void SelectTruncation(double truncation)
    {
        var (index, fraction) = StatisticsPosition(truncation, _statisticsCount);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        if (fraction != 0.0)
        {
            _selectedMean.copy_(_runningMeans[index] * fraction + _runningMeans[index + 1] * (1 - fraction));
            _selectedVariance.copy_(_runningVariances[index] * fraction + _runningVariances[index + 1] * (1 - fraction));
        }
        else
        {
            _selectedMean.copy_(_runningMeans[index]);
            _selectedVariance.copy_(_runningVariances[index]);
        }
        _selectedStandardDeviation.copy_(torch.sqrt(_selectedVariance + Epsilon));
        _selectedTruncation = truncation;
    }

    private Tensor EnsureSelected(Tensor statistic) => _selectedTruncation is null
        ? throw new InvalidOperationException("SelectTruncation must be called before the batch norm is used")
        : statistic;
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
        var mean = SelectedMean.view(1, -1, 1, 1);                                 // [1, C, 1, 1]
        var standardDeviation = SelectedStandardDeviation.view(1, -1, 1, 1);       // [1, C, 1, 1]
        return ((input - mean) / standardDeviation * gain + shift).MoveToOuterDisposeScope();
    }
}

/// <summary>Unconditional batch norm with a learned per-channel weight and bias (the generator's last norm).</summary>
public sealed class AffineBatchNorm : TruncationStatisticsBatchNorm
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

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
    public Tensor Forward(Tensor input) =>
        nn.functional.batch_norm(input, SelectedMean, SelectedVariance, _weight, _bias, training: false, momentum: 0.0, eps: Epsilon);
}
