using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using TorchSharp;

namespace Steerability.GpuNode.Trials;

/// <summary>What a limits study produced.</summary>
public sealed record LimitsResult(IReadOnlyList<AttributeRow> Attributes, IReadOnlyList<VariabilityRow> Variability, CorrelationRow Correlation);

/// <summary>
/// The transformation-limit study of one transform and walk (paper §4.2): per class, the spread of the transform's
/// attribute in the training data; a walk trained on the generator; the attribute of G(z'(α)) along the α grid and
/// its spread (the model limit); and, across classes, the correlation of variability with limit. Writes
/// OUT/attributes.parquet, OUT/variability.parquet and OUT/correlation.parquet.
/// </summary>
public static class LimitsExperiment
{
    public const string AttributesFile = "attributes.parquet";
    public const string VariabilityFile = "variability.parquet";
    public const string CorrelationFile = "correlation.parquet";

    /// <summary>Per class, the spread of the transform's attribute over the class's training images.</summary>
    public static IReadOnlyDictionary<int, AttributeSpreadSummary> DatasetVariability(LabelledImages data, ImageTransform transform, IAttributeDetector detector, int maxPerClass = 1000)
    {
        var result = new Dictionary<int, AttributeSpreadSummary>();
        for (var c = 0; c < data.ClassNames.Count; c++)
        {
            var indices = data.IndicesOfClass(c).Take(maxPerClass).ToArray();
            var values = new List<double>();
            foreach (var chunk in indices.Chunk(256))
            {
                using var scope = torch.NewDisposeScope();
                values.AddRange(detector.Measure(data.Images.index_select(0, torch.tensor(chunk))).Select(transform.Attribute));
            }
            result[c] = AttributeSpreadSummary.Of(values);
        }
        return result;
    }

    /// <summary>
    /// Runs the study. <paramref name="data"/> is the generator's training data; null for a generator whose data is not
    /// here (BigGAN-deep, TorchScript): the model limits are still measured, the data columns and the correlation are null.
    /// </summary>
    public static async Task<LimitsResult> RunAsync(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        string outputFolder, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var transform = BuiltInModels.Edit(spec.Model, spec.Transform);
        var classes = spec.Classes.Count > 0 ? spec.Classes : Enumerable.Range(0, classNames.Count).ToArray();
        torch.manual_seed(spec.Seed);
        using var walk = WalkExperiment.CreateWalk(spec, transform, generator);
        WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(spec.Steps, spec.Batch, spec.LearningRate, spec.Seed, classes),
            new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress("train", p.Step, p.TotalSteps, p.Losses["masked_l2"]))), cancel);
        return await MeasureAsync(generator, classNames, data, spec, transform, walk, outputFolder, progress, cancel);
    }

    private static double? Defined(double? value) => value is { } v && !double.IsNaN(v) ? v : null;

    /// <summary>The study for a walk already trained (a sweep's walk trial measures the walk it has just evaluated).</summary>
    public static async Task<LimitsResult> MeasureAsync(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, string outputFolder, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var detector = new ForegroundMomentsDetector();
        var classes = spec.Classes.Count > 0 ? spec.Classes : Enumerable.Range(0, classNames.Count).ToArray();
        var variability = data is null ? null : DatasetVariability(data, transform, detector);
        progress?.Report(new ExperimentProgress("measure", 0, 1, null));
        var grid = WalkTypes.TestGridOf(walk, transform, generator.ImageSize);
        var (points, limits) = TransformLimit.Measure(generator, transform, walk, detector, classes, classNames, grid, spec.EvaluationLatents, seed: 1_000_003);
        progress?.Report(new ExperimentProgress("measure", 1, 1, null));
        var attribute = transform.AttributeName;
        var attributeRows = points.Select(p => new AttributeRow
        {
            Model = generator.Name, Class = p.ClassName, Transform = spec.Transform, Walk = spec.Walk, Regime = spec.Regime, Attribute = attribute,
            Alpha = p.Alpha, Mean = p.Mean, Std = p.Std, Expected = p.Expected, Follows = p.Follows, N = p.Count,
        }).ToList();
        var variabilityRows = classes.Zip(limits).Select(pair => new VariabilityRow
        {
            Model = generator.Name, Class = classNames[pair.First], Transform = spec.Transform, Walk = spec.Walk, Attribute = attribute,
            DataMean = variability?[pair.First].Mean, DataStd = variability?[pair.First].Std, DataP5 = variability?[pair.First].P5,
            DataP95 = variability?[pair.First].P95, DataN = variability?[pair.First].Count ?? 0,
            ModelSpread = pair.Second.Spread, LowestFollowedAlpha = pair.Second.LowestFollowed, HighestFollowedAlpha = pair.Second.HighestFollowed,
            GeneratorStd = pair.Second.UnmovedSpread,
        }).ToList();
        var correlation = variability is null
            ? null
            : CorrelationResult.Of(variabilityRows.Select(r => r.DataStd!.Value).ToArray(), variabilityRows.Select(r => r.ModelSpread).ToArray());
        // NaN from Correlation means "not defined" (too few classes, or a side without variance): null in the table.
        var correlationRow = new CorrelationRow
        {
            Model = generator.Name, Transform = spec.Transform, Walk = spec.Walk, Regime = spec.Regime,
            R = Defined(correlation?.PearsonR), P = Defined(correlation?.PValue), Rho = Defined(correlation?.SpearmanRho), N = correlation?.Count ?? 0,
        };
        Directory.CreateDirectory(outputFolder);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, AttributesFile), attributeRows, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, VariabilityFile), variabilityRows, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, CorrelationFile), new[] { correlationRow }, cancel);
        return new LimitsResult(attributeRows, variabilityRows, correlationRow);
    }
}
