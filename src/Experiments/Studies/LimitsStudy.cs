using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.Experiments.Studies;

/// <summary>
/// One row of the attributes table: the measured attribute of G(z'(α)) for one class at one α, what a perfect walk
/// would give, and whether the step follows.
/// </summary>
/// <param name="Attribute">Which attribute: area_sqrt, centre_x, centre_y, luminance, orientation (each edit's <see cref="ImageTransform.AttributeName"/>).</param>
/// <param name="Alpha">One of the edit's limit α (<see cref="ImageTransform.LimitAlphas"/>), every walk dimension moved by it.</param>
/// <param name="Expected">What a walk that follows the edit exactly would give.</param>
/// <param name="Follows">True when the mean moved at least half the edit's change, in its direction.</param>
/// <param name="N">Values behind the row: latents, or sampled pixels for luminance.</param>
public sealed record AttributeRecord(string Model, string Class, string Transform, string Walk, string Regime, string Attribute,
    double Alpha, double Mean, double Std, double Expected, bool Follows, int N)
{
    /// <summary>The table's schema version (<see cref="WalkMetricRecord.CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion => WalkMetricRecord.CurrentSchemaVersion;
}

/// <summary>
/// One row of the variability table: an attribute's spread over one class's training images and the model's limit for
/// it. The data columns are null for a generator whose training data is not here (BigGAN-deep, TorchScript).
/// </summary>
/// <param name="ModelSpread">Std of the attribute of G(z'(α)) over the whole α sweep.</param>
/// <param name="GeneratorStd">Std of the attribute of G(z) with no walk, over the same latents: the variability the generator draws.</param>
/// <param name="Note">Null for a class in the correlation; for a class left out, why (its attribute is not defined).</param>
public sealed record VariabilityRecord(string Model, string Class, string Transform, string Walk, string Attribute,
    double? DataMean, double? DataStd, double? DataP5, double? DataP95, int DataN,
    double ModelSpread, double LowestFollowedAlpha, double HighestFollowedAlpha, double GeneratorStd, string? Note = null)
{
    /// <summary>The table's schema version (<see cref="WalkMetricRecord.CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion => WalkMetricRecord.CurrentSchemaVersion;
}

/// <summary>
/// One row of the correlation table: across classes, dataset variability against model limit. r, p and ρ are null
/// where no correlation is defined: fewer than three classes, a side without variance, or no training data here.
/// </summary>
/// <param name="N">Classes correlated (those left out not counted).</param>
/// <param name="Attribute">What the limit measures, in words (<see cref="ImageTransform.AttributeDescription"/>).</param>
/// <param name="LimitAlphas">The α the limit is measured on, space-separated (<see cref="ImageTransform.LimitAlphas"/>).</param>
/// <param name="LeftOut">The classes left out of the correlation with the reason ("class: reason; ..."), null when none.</param>
public sealed record CorrelationRecord(string Model, string Transform, string Walk, string Regime, double? R, double? P, double? Rho, int N,
    string Attribute = "", string LimitAlphas = "", string? LeftOut = null)
{
    /// <summary>The table's schema version (<see cref="WalkMetricRecord.CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion => WalkMetricRecord.CurrentSchemaVersion;

    /// <summary>α values as the limit_alphas column writes them.</summary>
    public static string FormatAlphas(IEnumerable<double> alphas) => string.Join(" ", alphas.Select(a => a.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>What a limits study produced.</summary>
public sealed record LimitsStudyResult(IReadOnlyList<AttributeRecord> Attributes, IReadOnlyList<VariabilityRecord> Variability, CorrelationRecord Correlation);

/// <summary>
/// The transformation-limit study of one edit and walk (paper §4.2) as a plain procedure: per class, the spread of
/// the edit's attribute in the training data; the attribute of G(z'(α)) along the α grid and its spread (the model
/// limit); and, across classes, the correlation of variability with limit. Returns rows; writing them is the caller's.
/// </summary>
public static class LimitsStudy
{
    /// <summary>Per class, the spread of the edit's attribute over the class's training images.</summary>
    public static IReadOnlyDictionary<int, AttributeSpreadSummary> DatasetVariability(LabelledImages data, ImageTransform transform, IAttributeDetector detector, int maxPerClass = 1000,
        CancellationToken cancel = default)
    {
        var result = new Dictionary<int, AttributeSpreadSummary>();
        for (var c = 0; c < data.ClassNames.Count; c++)
        {
            var indices = data.IndicesOfClass(c).Take(maxPerClass).ToArray();
            var values = new List<double>();
            foreach (var chunk in indices.Chunk(256))
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                values.AddRange(detector.Measure(data.Images.index_select(0, torch.tensor(chunk))).SelectMany(transform.AttributeValues));
            }
            result[c] = AttributeSpreadSummary.Of(values);
        }
        return result;
    }

    /// <summary>
    /// Trains the spec's walk, then measures it. <paramref name="data"/> is the generator's training data; null for a
    /// generator whose data is not here (BigGAN-deep, TorchScript): the model limits are still measured, the data
    /// columns and the correlation are null.
    /// </summary>
    public static LimitsStudyResult Run(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        ImageTransform transform, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var classes = spec.Classes.Count > 0 ? spec.Classes : Enumerable.Range(0, classNames.Count).ToArray();
        var (walk, _, _) = WalkStudy.Train(generator, spec with { Classes = classes }, transform, progress, cancel);
        using (walk)
        {
            return Measure(generator, classNames, data, spec, transform, walk, progress, cancel);
        }
    }

    private static double? Defined(double? value) => value is { } v && !double.IsNaN(v) ? v : null;

    /// <summary>The study for a walk already trained (a sweep's walk trial measures the walk it has just evaluated).</summary>
    public static LimitsStudyResult Measure(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var detector = new ForegroundMomentsDetector();
        var classes = spec.Classes.Count > 0 ? spec.Classes : Enumerable.Range(0, classNames.Count).ToArray();
        var variability = data is null ? null : DatasetVariability(data, transform, detector, cancel: cancel);
        progress?.Report(new ExperimentProgress("measure", 0, 1, null));
        var grid = transform.LimitAlphas(WalkTypes.TestGridOf(walk, transform, generator.ImageSize));
        var (points, limits) = TransformLimit.Measure(generator, transform, walk, detector, classes, classNames, grid, spec.EvaluationLatents, seed: 1_000_003, cancel: cancel);
        progress?.Report(new ExperimentProgress("measure", 1, 1, null));
        var attribute = transform.AttributeName;
        var attributeRows = points.Select(p => new AttributeRecord(generator.Name, p.ClassName, spec.Transform, spec.Walk, spec.Regime, attribute,
            p.Alpha, p.Mean, p.Std, p.Expected, p.Follows, p.Count)).ToList();
        var variabilityRows = classes.Zip(limits).Select(pair => new VariabilityRecord(generator.Name, classNames[pair.First], spec.Transform, spec.Walk, attribute,
            variability?[pair.First].Mean, variability?[pair.First].Std, variability?[pair.First].P5, variability?[pair.First].P95, variability?[pair.First].Count ?? 0,
            pair.Second.Spread, pair.Second.LowestFollowed, pair.Second.HighestFollowed, pair.Second.UnmovedSpread,
            transform.ClassesWithoutAttribute.GetValueOrDefault(classNames[pair.First]) is { } reason ? "left out: " + reason : null)).ToList();
        // A class whose attribute is not defined (the orientation of a circle) keeps its row, with the reason, but is no point of the correlation.
        var correlated = variabilityRows.Where(r => r.Note is null).ToList();
        var leftOut = variabilityRows.Where(r => r.Note is not null).Select(r => $"{r.Class}: {transform.ClassesWithoutAttribute[r.Class]}").ToList();
        var correlation = variability is null
            ? null
            : CorrelationResult.Of(correlated.Select(r => r.DataStd!.Value).ToArray(), correlated.Select(r => r.ModelSpread).ToArray());
        // NaN from Correlation means "not defined" (too few classes, or a side without variance): null in the table.
        var correlationRow = new CorrelationRecord(generator.Name, spec.Transform, spec.Walk, spec.Regime,
            Defined(correlation?.PearsonR), Defined(correlation?.PValue), Defined(correlation?.SpearmanRho), correlation?.Count ?? 0,
            transform.AttributeDescription, CorrelationRecord.FormatAlphas(grid), leftOut.Count > 0 ? string.Join("; ", leftOut) : null);
        return new LimitsStudyResult(attributeRows, variabilityRows, correlationRow);
    }
}
