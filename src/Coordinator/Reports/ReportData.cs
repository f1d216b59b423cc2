using Steerability.Coordinator.Cli;
using System.Globalization;
using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Results;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Reports;

/// <summary>One pooled point of a curve: the walk's masked L2 and the no-walk baseline at one α, in one evaluation (alpha_metrics' evaluation column).</summary>
public sealed record CurvePoint(string Model, string Transform, string Walk, string Regime, double Alpha, double L2Mean, double BaselineL2Mean,
    string Evaluation = Experiments.Transforms.EvaluationMode.EqualName);

/// <summary>Per model, transform, walk and regime: how far the walk's masked L2 lies below the baseline over the α where the edit changes the image.</summary>
public sealed record SummaryRow(string Model, string Transform, string Walk, string Regime, int AlphaCount, double MeanReduction, double MeanRelativeReduction);

/// <summary>One class's dataset spread against the model's spread for one attribute.</summary>
/// <remarks>The data's mean and 5th/95th percentiles mark its band on the distribution figure; NaN where unknown.
/// The regime comes from a sweep's partition folder (regime=R); a folder without one is taken as plain.</remarks>
/// <param name="Note">Null for a class in the correlation; for a class the limit leaves out, why.</param>
public sealed record VariabilityPoint(string Model, string Class, string Transform, string Walk, string Attribute, double DataStd, double ModelSpread,
    double DataMean = double.NaN, double DataP5 = double.NaN, double DataP95 = double.NaN, long DataN = 0, string Regime = "plain", string? Note = null);

/// <summary>The measured attribute of G(z'(α)) for one class at one α: mean and std over latents, and the edit's target.</summary>
public sealed record AttributePoint(string Model, string Class, string Transform, string Walk, string Regime, string Attribute, double Alpha, double Mean, double Std, double Expected);

/// <summary>Across classes, the correlation of dataset spread and model limit, with what the limit measured, on which α, and the classes it left out (empty where a folder predates them).</summary>
public sealed record CorrelationEntry(string Model, string Transform, string Walk, string Regime, double R, double P, long N, double Rho = double.NaN,
    string Attribute = "", string LimitAlphas = "", string LeftOut = "");

/// <summary>One trial of a sweep as the report lists it.</summary>
public sealed record TrialEntry(string Key, string Status, long Attempts, string Node, string Device, double WallSeconds, double Throughput, string ThroughputUnit);

/// <summary>A walk's explorer frames found under the folder: the sheet, its manifest and the folder relative to the report's folder.</summary>
public sealed record ExplorerWalk(string SheetPath, string RelativeFolder, ExplorerFrameManifest Manifest);

/// <summary>A generator a sweep trained (a generator trial): model, regime, trial key and the key its checkpoint.json records.</summary>
public sealed record GeneratorEntry(string Model, string Regime, string TrialKey, string CheckpointKey);

/// <summary>A walk strip image found under the folder, with its path relative to the folder.</summary>
public sealed record StripImage(string SourcePath, string RelativePath);

/// <summary>Everything a report shows, read from a sweep folder (or a `steer demo` folder) before anything is written.</summary>
public sealed record ReportData(
    string Folder,
    IReadOnlyList<CurvePoint> Curves,
    IReadOnlyList<SummaryRow> Summary,
    IReadOnlyList<VariabilityPoint> Variability,
    IReadOnlyList<CorrelationEntry> Correlations,
    IReadOnlyList<AttributePoint> Attributes,
    IReadOnlyList<TrialEntry>? Trials,
    IReadOnlyList<StripImage> Strips)
{
    /// <summary>
    /// Curves of the other evaluations (color one channel at a time: red, green, blue), beside the headline
    /// <see cref="Curves"/> (every walk dimension moved equally).
    /// </summary>
    public IReadOnlyList<CurvePoint> ChannelCurves { get; init; } = [];

    /// <summary>provenance.json of the folder; null for a folder written before it existed.</summary>
    public RunProvenance? Provenance { get; init; }

    /// <summary>The generator trials of a sweep (empty for a demo folder, whose generator the provenance names).</summary>
    public IReadOnlyList<GeneratorEntry> Generators { get; init; } = [];

    /// <summary>Walks with explorer frames, in path order.</summary>
    public IReadOnlyList<ExplorerWalk> Explorer { get; init; } = [];

    /// <summary>Frame manifests that could not be read or lack their sheet (relative paths): the report names them.</summary>
    public IReadOnlyList<string> ExplorerUnreadable { get; init; } = [];

    public const string StripFile = "walk_strip.png";

    /// <summary>The transforms in the order the report shows them.</summary>
    public IReadOnlyList<string> Transforms => Curves.Select(c => c.Transform).Distinct().Order(StringComparer.Ordinal).ToList();
}

/// <summary>Reads a report's tables with DuckDB through <see cref="SweepQuery"/>; throws an <see cref="InputException"/> on a folder without alpha metrics.</summary>
public static class ReportDataLoader
{
    // Classes pooled: the evaluator's 'all' rows where present; a folder without them is averaged over its classes.
    // Averaging also folds repeated trials (seeds) of one configuration into one curve. The headline curves are the
    // equal evaluation (a version 2 folder's colour rows, channels cycled, are its only colour curve); the rest are
    // the per-channel table.
    private const string PooledCurves = """
        SELECT CAST(model AS VARCHAR), CAST(transform AS VARCHAR), CAST(walk AS VARCHAR), CAST(regime AS VARCHAR),
               CAST(alpha AS DOUBLE) AS a, avg(l2_mean), avg(baseline_l2_mean), CAST(evaluation AS VARCHAR)
        FROM alpha_metrics
        WHERE (class = 'all' OR NOT EXISTS (SELECT 1 FROM alpha_metrics WHERE class = 'all')) AND {0}
        GROUP BY 1, 2, 3, 4, 5, 8
        ORDER BY 2, 3, 4, 1, 8, 5
        """;

    private static readonly string HeadlineEvaluations =
        $"evaluation IN ('{Experiments.Transforms.EvaluationMode.EqualName}', '{Experiments.Studies.WalkMetricRecord.CycledEvaluation}')";

    /// <summary>Loads the folder <paramref name="dir"/>; <paramref name="named"/> is how the user named it, for messages.</summary>
    public static async Task<ReportData> LoadAsync(string dir, string named, CancellationToken ct = default)
    {
        var folder = Path.GetFullPath(dir);
        if (!Directory.Exists(folder))
        {
            throw new InputException($"report: '{named}' is not a folder; accepted: a sweep folder written by `steer run` or a `steer demo --out` folder");
        }
        var tables = SweepQuery.Tables(folder);
        if (!tables.Contains("alpha_metrics"))
        {
            throw new InputException($"report: '{named}' has no alpha_metrics table; accepted: a sweep folder written by `steer run` " +
                "(alpha_metrics/**.parquet) or a folder holding alpha_metrics.parquet (as `steer demo --out` writes)");
        }
        async Task<List<CurvePoint>> CurvesAsync(string evaluations) =>
            (await SweepQuery.RunAsync(folder, string.Format(CultureInfo.InvariantCulture, PooledCurves, evaluations), ct)).Rows
                .Select(r => new CurvePoint(Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Text(r[7])))
                .ToList();
        var curves = await CurvesAsync(HeadlineEvaluations);
        var channelCurves = await CurvesAsync($"NOT {HeadlineEvaluations}");
        if (curves.Count == 0 && channelCurves.Count == 0)
        {
            throw new InputException($"report: '{named}' has an empty alpha_metrics table; accepted: a folder with at least one alpha_metrics row");
        }
        var variabilityRegime = tables.Contains("variability") && await HasColumnAsync(folder, "variability", "regime", ct) ? "CAST(regime AS VARCHAR)" : "'plain'";
        var variability = tables.Contains("variability")
            ? (await SweepQuery.RunAsync(folder, "SELECT model, class, transform, walk, attribute, data_std, model_spread, data_mean, data_p5, data_p95, data_n, " +
                    variabilityRegime + ", note FROM variability ORDER BY transform, walk, attribute, class", ct)).Rows
                .Select(r => new VariabilityPoint(Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]), Number(r[5]), Number(r[6]),
                    Number(r[7]), Number(r[8]), Number(r[9]), Convert.ToInt64(r[10] ?? 0L, CultureInfo.InvariantCulture), Text(r[11]), r[12] is null ? null : Text(r[12])))
                // A generator whose training data is not here has no data std (NaN): nothing to place on the scatter.
                .Where(v => double.IsFinite(v.DataStd) && double.IsFinite(v.ModelSpread))
                .ToList()
            : [];
        var correlations = tables.Contains("correlation")
            ? (await SweepQuery.RunAsync(folder, "SELECT model, transform, walk, regime, r, p, n, rho, attribute, limit_alphas, left_out FROM correlation ORDER BY transform, walk, regime, model", ct)).Rows
                .Select(r => new CorrelationEntry(Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Number(r[4]), Number(r[5]), Convert.ToInt64(r[6] ?? 0L, CultureInfo.InvariantCulture), Number(r[7]),
                    Text(r[8]), Text(r[9]), Text(r[10])))
                .ToList()
            : [];
        // Repeated trials (seeds) of one configuration are averaged, as the curves are.
        var attributes = tables.Contains("attributes")
            ? (await SweepQuery.RunAsync(folder, """
                SELECT CAST(model AS VARCHAR), CAST(class AS VARCHAR), CAST(transform AS VARCHAR), CAST(walk AS VARCHAR), CAST(regime AS VARCHAR),
                       CAST(attribute AS VARCHAR), CAST(alpha AS DOUBLE) AS a, avg(mean), avg(std), avg(expected)
                FROM attributes GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 3, 4, 5, 1, 6, 2, 7
                """, ct)).Rows
                .Select(r => new AttributePoint(Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3]), Text(r[4]), Text(r[5]), Number(r[6]), Number(r[7]), Number(r[8]), Number(r[9])))
                .Where(a => double.IsFinite(a.Mean) && double.IsFinite(a.Std))
                .ToList()
            : [];
        var trials = tables.Contains("trials")
            ? (await SweepQuery.RunAsync(folder, "SELECT key, status, attempts, node, device, wall_seconds, throughput, throughput_unit FROM trials ORDER BY key", ct)).Rows
                .Select(r => new TrialEntry(Text(r[0]), Text(r[1]), Convert.ToInt64(r[2] ?? 0L, CultureInfo.InvariantCulture), Text(r[3]), Text(r[4]),
                    Number(r[5]), Number(r[6]), Text(r[7])))
                .ToList()
            : null;
        var generators = tables.Contains("trials")
            ? (await SweepQuery.RunAsync(folder, "SELECT model, regime, key FROM trials WHERE kind = 'generator' ORDER BY model, regime, key", ct)).Rows
                .Select(r => new GeneratorEntry(Text(r[0]), Text(r[1]), Text(r[2]), CheckpointKeyOfArtifact(folder, Text(r[2]))))
                .ToList()
            : [];
        var explorer = FindExplorerWalks(folder);
        return new ReportData(folder, curves, Summarise(curves), variability, correlations, attributes, trials, FindStrips(folder))
        {
            ChannelCurves = channelCurves,
            Provenance = RunProvenance.Read(folder),
            Generators = generators,
            Explorer = explorer.Found,
            ExplorerUnreadable = explorer.Unreadable,
        };
    }

    /// <summary>
    /// Mean of (baseline − walk) and of (baseline − walk) / baseline over the α of each curve where the edit changes the
    /// image (baseline above 1e-6: not α = 0, nor zoom's α = 1, nor a full turn whose baseline is rounding noise).
    /// </summary>
    public static IReadOnlyList<SummaryRow> Summarise(IEnumerable<CurvePoint> curves) =>
        curves.Where(c => c.Alpha != 0 && c.BaselineL2Mean > MetricsTable.NegligibleBaseline)
            .GroupBy(c => (c.Model, c.Transform, c.Walk, c.Regime))
            .Select(g => new SummaryRow(g.Key.Model, g.Key.Transform, g.Key.Walk, g.Key.Regime, g.Count(),
                g.Average(c => c.BaselineL2Mean - c.L2Mean),
                g.Average(c => (c.BaselineL2Mean - c.L2Mean) / c.BaselineL2Mean)))
            .OrderBy(s => s.Transform, StringComparer.Ordinal)
            .ThenBy(s => s.Walk, StringComparer.Ordinal)
            .ThenBy(s => s.Regime, StringComparer.Ordinal)
            .ThenBy(s => s.Model, StringComparer.Ordinal)
            .ToList();

    // The report's own folder is skipped so that a second run does not list the copies of the first.
    private static List<StripImage> FindStrips(string folder) =>
        Directory.EnumerateFiles(folder, ReportData.StripFile, SearchOption.AllDirectories)
            .Select(path => new StripImage(path, Path.GetRelativePath(folder, path)))
            .Where(s => !s.RelativePath.StartsWith(ReportWriter.ReportFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(s => new FileInfo(s.SourcePath).Length > 0)
            .OrderBy(s => s.RelativePath, StringComparer.Ordinal)
            .ToList();

    private static async Task<bool> HasColumnAsync(string folder, string table, string column, CancellationToken ct) =>
        (await SweepQuery.RunAsync(folder, $"SELECT column_name FROM (DESCRIBE {table})", ct)).Rows.Any(r => Text(r[0]) == column);

    // A sweep's generator checkpoints lie in ../artifacts/<trial key>/ beside the sweep folder (docs/orchestration.md).
    private static string CheckpointKeyOfArtifact(string sweepFolder, string trialKey)
    {
        var artifact = Path.Combine(Path.GetDirectoryName(sweepFolder) ?? sweepFolder, "artifacts", trialKey);
        return RunProvenance.CheckpointKeyOf(artifact) is { Length: > 0 } key ? key : "not found";
    }

    private static (List<ExplorerWalk> Found, List<string> Unreadable) FindExplorerWalks(string folder)
    {
        var found = new List<ExplorerWalk>();
        var unreadable = new List<string>();
        foreach (var path in Directory.EnumerateFiles(folder, ExplorerFrameFiles.ManifestFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, Path.GetDirectoryName(path)!);
            if (relative == ReportWriter.ReportFolder || relative.StartsWith(ReportWriter.ReportFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }
            var sheet = Path.Combine(Path.GetDirectoryName(path)!, ExplorerFrameFiles.SheetFile);
            if (ExplorerFrameFiles.ReadManifest(path) is { } manifest && File.Exists(sheet))
            {
                found.Add(new ExplorerWalk(sheet, relative, manifest));
            }
            else
            {
                unreadable.Add(Path.GetRelativePath(folder, path));
            }
        }
        return (found, unreadable);
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static double Number(object? value) => value is null ? double.NaN : Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
