using Steerability.Coordinator.Cli;
using Steerability.Experiments.Walks;
using Steerability.Experiments.Families;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.ModelFiles;
using System.Globalization;
using System.Text.RegularExpressions;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Reads a sweep spec (YAML) and validates every field. Any problem throws <see cref="InputException"/> with one
/// line `FILE:LINE: FIELD: what is wrong; accepted: ...`, so the user can jump straight to it.
/// </summary>
public static partial class SweepSpecParser
{
    /// <summary>Fills the fields a given `budget.generator` leaves out (without one, each model's recipe is used).</summary>
    public static readonly Budget DefaultGeneratorBudget = new(1500, 64);
    public static readonly Budget DefaultWalkBudget = new(WalkBudget.DefaultSteps, WalkBudget.DefaultBatch);
    public const int DefaultEvalLatents = WalkBudget.DefaultEvalLatents;

    private static readonly string[] TopLevelFields =
        ["sweep", "models", "classes", "per_class", "transforms", "walks", "regimes", "alphas", "seeds", "budget", "device", "pretrained", "augmented_share", "edits"];

    public static SweepSpec ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: spec file not found; pass a YAML sweep spec such as experiments/quickstart.yaml");
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static SweepSpec Parse(string yaml, string file)
    {
        var reader = new Reader(file);
        var root = reader.Load(yaml);
        foreach (var (keyNode, _) in root.Children)
        {
            var key = reader.KeyName(keyNode);
            if (!TopLevelFields.Contains(key))
            {
                throw reader.Error(keyNode, key, $"unknown field{Suggest(key, TopLevelFields)}; accepted: {string.Join(", ", TopLevelFields)}");
            }
        }

        var name = reader.Scalar(root, "sweep", required: true, fallback: "")!;
        if (!SweepNamePattern().IsMatch(name))
        {
            throw reader.Error(reader.ValueNode(root, "sweep")!, "sweep", $"'{name}' is not a sweep name; accepted: letters, digits, '-', '_' (it names a folder)");
        }
        var models = reader.Choices(root, "models", SweepCatalog.Models, required: true, fallback: []);
        var perClass = reader.Bool(root, "per_class", fallback: false);
        var generators = ParseModelSettings(reader, root, models, reader.Choices(root, "regimes", SweepCatalog.Regimes, required: false, fallback: [TrainingRegimes.Plain.Name]));
        var classes = ParseClasses(reader, root, generators, perClass);
        var userEdits = ParseEdits(reader, root, file);
        var transforms = reader.Choices(root, "transforms", [.. SweepCatalog.Transforms, .. userEdits.Keys], required: true, fallback: []);
        var walks = reader.Choices(root, "walks", SweepCatalog.Walks, required: false, fallback: SweepCatalog.Walks);
        var regimes = reader.Choices(root, "regimes", SweepCatalog.Regimes, required: false, fallback: [TrainingRegimes.Plain.Name]);
        var alphas = ParseAlphas(reader, root, transforms);
        var seeds = reader.IntList(root, "seeds", min: 0, fallback: [0]);
        var (generatorBudget, walkBudget, evalLatents, learningRate) = ParseBudget(reader, root);
        var augmentedShare = reader.Fraction(root, "augmented_share", "augmented_share");
        var device = reader.Scalar(root, "device", required: false, fallback: "auto")!;
        if (!SweepCatalog.DevicePolicies.Contains(device))
        {
            throw reader.Error(reader.ValueNode(root, "device")!, "device", $"'{device}' is not a device policy; accepted: {string.Join(", ", SweepCatalog.DevicePolicies)}");
        }

        return new SweepSpec
        {
            Generators = generators,
            Name = name,
            SourcePath = file,
            Models = models,
            Classes = classes,
            PerClass = perClass,
            Transforms = transforms,
            Walks = walks,
            Regimes = regimes,
            Alphas = alphas,
            Seeds = seeds,
            GeneratorBudget = generatorBudget,
            WalkBudget = walkBudget,
            EvalLatents = evalLatents,
            Device = device,
            LearningRate = learningRate,
            AugmentedShare = augmentedShare,
            UserEdits = userEdits.Where(e => transforms.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value),
        };
    }

    /// <summary>
    /// `edits:` users' own edits, each either a TorchScript file (path relative to the spec, with its JSON beside it)
    /// or a composition of built-in edits `{compose: NAME, steps: [{edit: zoom, scale: 0.5}, {edit: shiftx, scale: 8}]}`.
    /// Each is built and checked now (a broken file stops the spec here) and registered under its name; the result maps
    /// each name to the description its trials carry.
    /// </summary>
    private static Dictionary<string, string> ParseEdits(Reader reader, YamlMappingNode root, string file)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = reader.ValueNode(root, "edits");
        if (node is null)
        {
            return result;
        }
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            throw reader.Error(node, "edits", "expected a list; accepted: [edits/invert.ts, {compose: NAME, steps: [{edit: zoom, scale: 0.5}, {edit: shiftx, scale: 8}]}]");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var field = $"edits[{i}]";
            ImageTransform edit;
            try
            {
                edit = item switch
                {
                    YamlScalarNode { Value: { Length: > 0 } path } => UserEdits.LoadFile(Path.Combine(folder, path)),
                    YamlMappingNode map => Composition(reader, map, field),
                    _ => throw reader.Error(item, field, "expected a TorchScript file path or {compose: NAME, steps: [...]}"),
                };
            }
            catch (EditFileException e)
            {
                throw reader.Error(item, field, e.Message);
            }
            if (result.ContainsKey(edit.Name))
            {
                throw reader.Error(item, field, $"'{edit.Name}' is named twice; accepted: one edit per name");
            }
            result[edit.Name] = UserEdits.WireOf(edit);
            UserEdits.Register(edit);
        }
        return result;
    }

    private static ComposedEdit Composition(Reader reader, YamlMappingNode map, string field)
    {
        foreach (var (keyNode, _) in map.Children)
        {
            var key = reader.KeyName(keyNode);
            if (key is not ("compose" or "steps"))
            {
                throw reader.Error(keyNode, $"{field}.{key}", "unknown field; accepted: compose, steps");
            }
        }
        var name = reader.Scalar(map, "compose", required: true, fallback: "")!;
        if (reader.ValueNode(map, "steps") is not YamlSequenceNode steps)
        {
            throw reader.Error(map, $"{field}.steps", "expected a list; accepted: [{edit: zoom, scale: 0.5}, {edit: shiftx, scale: 8}]");
        }
        var parsed = new List<CompositionStep>();
        for (var i = 0; i < steps.Children.Count; i++)
        {
            if (steps.Children[i] is not YamlMappingNode step
                || reader.ValueNode(step, "edit") is not YamlScalarNode { Value: { } edit }
                || reader.ValueNode(step, "scale") is not YamlScalarNode { Value: { } scaleText }
                || !double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale))
            {
                throw reader.Error(steps.Children[i], $"{field}.steps[{i}]", "expected {edit: NAME, scale: NUMBER}; accepted: e.g. {edit: zoom, scale: 0.5}");
            }
            parsed.Add(new CompositionStep(edit, scale));
        }
        return new ComposedEdit(name, parsed, $"{field} ({name})");
    }

    /// <summary>
    /// `pretrained: {MODEL: {SETTING: VALUE, ...}}`: the settings of the models the spec names (a pretrained model's
    /// files, its truncation), checked by each model's family now, so a wrong path stops the sweep before anything is
    /// written; relative paths are taken from the spec's folder. Every model is described, with or without settings.
    /// </summary>
    private static IReadOnlyDictionary<string, FamilyDescription> ParseModelSettings(Reader reader, YamlMappingNode root, IReadOnlyList<string> models, IReadOnlyList<string> regimes)
    {
        var node = reader.ValueNode(root, "pretrained");
        if (node is not null and not YamlMappingNode)
        {
            throw reader.Error(node, "pretrained", "expected a mapping; accepted: {MODEL: {SETTING: VALUE}}, e.g. {biggan-deep: {weights: DIR, truncation: 0.4}}");
        }
        var map = node as YamlMappingNode;
        foreach (var (keyNode, _) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var key = reader.KeyName(keyNode);
            if (!models.Contains(key))
            {
                throw reader.Error(keyNode, $"pretrained.{key}", $"not a model of this spec; accepted: {string.Join(", ", models)}");
            }
        }
        var specFolder = Path.GetDirectoryName(Path.GetFullPath(reader.File)) ?? ".";
        var result = new Dictionary<string, FamilyDescription>();
        foreach (var model in models)
        {
            var family = GeneratorFamilies.Get(model);
            var entry = map is null ? null : reader.ValueNode(map, model);
            if (entry is not null and not YamlMappingNode)
            {
                throw reader.Error(entry, $"pretrained.{model}", "expected a mapping of settings; accepted: " + string.Join(", ", family.Settings.Where(s => s.InSweeps).Select(s => s.SpecKey)));
            }
            var given = new List<KeyValuePair<string, string>>();
            var nodes = new Dictionary<string, YamlNode>();
            foreach (var (settingNode, valueNode) in (entry as YamlMappingNode)?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var key = reader.KeyName(settingNode);
                var setting = family.Settings.FirstOrDefault(s => s.SpecKey == key && s.InSweeps);
                if (setting is null)
                {
                    throw reader.Error(settingNode, $"pretrained.{model}.{key}", $"not a setting of model '{model}' in a sweep; accepted: {string.Join(", ", family.Settings.Where(s => s.InSweeps).Select(s => s.SpecKey).DefaultIfEmpty("none"))}");
                }
                if (valueNode is not YamlScalarNode { Value: { } text })
                {
                    throw reader.Error(valueNode, $"pretrained.{model}.{key}", "expected a single value");
                }
                given.Add(new(setting.Name, setting.IsPath ? Path.GetFullPath(text, specFolder) : text));
                nodes[setting.Name] = valueNode;
            }
            try
            {
                result[model] = GeneratorFamilies.Describe(family, new FamilyValues(given), SteerPaths.FromEnvironment(), inSweep: true);
            }
            catch (FamilySettingException e)
            {
                var at = nodes.GetValueOrDefault(e.Setting) ?? entry ?? node ?? root;
                throw reader.Error(at, $"pretrained.{model}.{e.Setting.Replace('-', '_')}", e.Message);
            }
            var trainedRegime = regimes.FirstOrDefault(r => TrainingRegimes.Get(r).NeedsTrainableGenerator);
            if (trainedRegime is not null && family is not TrainedHereFamily)
            {
                throw reader.Error(reader.ValueNode(root, "regimes")!, "regimes", $"'{trainedRegime}' trains the generator, which a pretrained model ('{model}') cannot; accepted with pretrained models: plain");
            }
        }
        return result;
    }

    private static IReadOnlyList<string> ParseClasses(Reader reader, YamlMappingNode root, IReadOnlyDictionary<string, FamilyDescription> generators, bool perClass)
    {
        var node = reader.ValueNode(root, "classes");
        if (node is null || node is YamlScalarNode { Value: "all" })
        {
            if (perClass)
            {
                return generators.Values.SelectMany(g => g.ClassNames).Distinct().ToList();
            }
            return ["all"];
        }
        if (!perClass)
        {
            throw reader.Error(node, "classes", "a class list needs per_class: true (without it one walk covers every class); accepted: all, or per_class: true with a list");
        }
        var labels = reader.StringList(root, "classes");
        for (var i = 0; i < labels.Count; i++)
        {
            var item = ((YamlSequenceNode)node).Children[i];
            if (!ClassPattern().IsMatch(labels[i]))
            {
                throw reader.Error(item, $"classes[{i}]", $"'{labels[i]}' is not a class label; accepted: letters, digits, '_'");
            }
            foreach (var (model, generator) in generators)
            {
                var known = generator.ClassNames;
                if (!known.Contains(labels[i]))
                {
                    throw reader.Error(item, $"classes[{i}]", $"'{labels[i]}' is not a class of model '{model}'; accepted: {string.Join(", ", known)}");
                }
            }
        }
        return labels;
    }

    private static IReadOnlyDictionary<string, AlphaGrid> ParseAlphas(Reader reader, YamlMappingNode root, IReadOnlyList<string> transforms)
    {
        var result = transforms.ToDictionary(t => t, _ => new AlphaGrid("default"));
        var node = reader.ValueNode(root, "alphas");
        if (node is null)
        {
            return result;
        }
        if (node is not YamlMappingNode map)
        {
            throw reader.Error(node, "alphas", "expected a mapping from transform to grid; accepted: e.g. {zoom: default, shiftx: [-8, 0, 8]}");
        }
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var transform = reader.KeyName(keyNode);
            var field = $"alphas.{transform}";
            if (!transforms.Contains(transform))
            {
                throw reader.Error(keyNode, field, $"'{transform}' is not among the sweep's transforms; accepted: {string.Join(", ", transforms)}");
            }
            if (valueNode is YamlScalarNode scalar)
            {
                if (!SweepCatalog.AlphaGrids.Contains(scalar.Value ?? ""))
                {
                    throw reader.Error(valueNode, field, $"'{scalar.Value}' is not an α grid of {transform}; accepted: {string.Join(", ", SweepCatalog.AlphaGrids)}, or a list of numbers in {Units(transform)}");
                }
                result[transform] = new AlphaGrid(scalar.Value!);
                continue;
            }
            if (valueNode is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            {
                throw reader.Error(valueNode, field, $"expected a grid name or a non-empty list of numbers; accepted: {string.Join(", ", SweepCatalog.AlphaGrids)}, or a list in {Units(transform)}");
            }
            var alphas = new double[sequence.Children.Count];
            for (var i = 0; i < alphas.Length; i++)
            {
                var item = sequence.Children[i];
                if (item is not YamlScalarNode { Value: { } text }
                    || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out alphas[i])
                    || !double.IsFinite(alphas[i]))
                {
                    throw reader.Error(item, $"{field}[{i}]", $"'{Describe(item)}' is not a number; accepted: finite numbers such as -0.5 or 2");
                }
                if (TransformCatalog.Create(transform).AlphaProblem(alphas[i]) is { } problem)
                {
                    throw reader.Error(item, $"{field}[{i}]", $"'{text}' {problem}");
                }
                if (i > 0 && alphas[i] <= alphas[i - 1])
                {
                    throw reader.Error(item, $"{field}[{i}]", $"'{text}' does not follow {alphas[i - 1].ToString(CultureInfo.InvariantCulture)}; accepted: distinct values in ascending order");
                }
            }
            result[transform] = new AlphaGrid("custom", alphas);
        }
        return result;
    }

    /// <summary>The α units of a transform, for messages.</summary>
    private static string Units(string transform) => TransformCatalog.Create(transform).AlphaUnits;

    private static (Budget? Generator, Budget Walk, int EvalLatents, double? LearningRate) ParseBudget(Reader reader, YamlMappingNode root)
    {
        var node = reader.ValueNode(root, "budget");
        if (node is null)
        {
            return (null, DefaultWalkBudget, DefaultEvalLatents, null);
        }
        if (node is not YamlMappingNode map)
        {
            throw reader.Error(node, "budget", "expected a mapping; accepted: {generator: {steps: N, batch: N}, walk: {steps: N, batch: N, eval_latents: N}}");
        }
        foreach (var (keyNode, _) in map.Children)
        {
            var key = reader.KeyName(keyNode);
            if (key is not ("generator" or "walk"))
            {
                throw reader.Error(keyNode, $"budget.{key}", $"unknown field{Suggest(key, ["generator", "walk"])}; accepted: generator, walk");
            }
        }
        var generator = BudgetMap(reader, map, "generator", ["steps", "batch"]);
        var walk = BudgetMap(reader, map, "walk", ["steps", "batch", "eval_latents", "learning_rate"]);
        return (
            generator is null ? null : Read(generator, "generator", DefaultGeneratorBudget),
            walk is null ? DefaultWalkBudget : Read(walk, "walk", DefaultWalkBudget),
            walk is null ? DefaultEvalLatents : reader.PositiveInt(walk, "eval_latents", "budget.walk.eval_latents", DefaultEvalLatents),
            walk is null ? null : reader.PositiveRate(walk, "learning_rate", "budget.walk.learning_rate"));

        Budget Read(YamlMappingNode part, string name, Budget fallback) => new(
            reader.PositiveInt(part, "steps", $"budget.{name}.steps", fallback.Steps),
            reader.PositiveInt(part, "batch", $"budget.{name}.batch", fallback.Batch));
    }

    /// <summary>The mapping `budget.NAME`, checked to hold only <paramref name="fields"/>; null when absent.</summary>
    private static YamlMappingNode? BudgetMap(Reader reader, YamlMappingNode budget, string name, string[] fields)
    {
        var node = reader.ValueNode(budget, name);
        if (node is null)
        {
            return null;
        }
        if (node is not YamlMappingNode map)
        {
            throw reader.Error(node, $"budget.{name}", $"expected a mapping; accepted: {{{string.Join(", ", fields.Select(f => f + ": N"))}}}");
        }
        foreach (var (keyNode, _) in map.Children)
        {
            var key = reader.KeyName(keyNode);
            if (!fields.Contains(key))
            {
                throw reader.Error(keyNode, $"budget.{name}.{key}", $"unknown field{Suggest(key, fields)}; accepted: {string.Join(", ", fields)}");
            }
        }
        return map;
    }

    private static string Describe(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : node.NodeType.ToString().ToLowerInvariant();

    /// <summary>` (did you mean 'walks'?)` for a near miss, else nothing.</summary>
    private static string Suggest(string given, IEnumerable<string> accepted)
    {
        var best = accepted.Select(a => (a, d: Distance(given, a))).MinBy(pair => pair.d);
        return best.a is not null && best.d <= Math.Max(2, given.Length / 3) ? $" (did you mean '{best.a}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SweepNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex ClassPattern();

    /// <summary>Typed access to a YAML document that turns every mismatch into a located one-line error.</summary>
    private sealed class Reader(string file)
    {
        /// <summary>The spec file being read (relative paths in it are taken from its folder).</summary>
        public string File => file;

        public YamlMappingNode Load(string yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                var message = e.InnerException?.Message ?? e.Message;
                throw new InputException($"{file}:{e.Start.Line}: (syntax): {Clean(message)}; accepted: a YAML mapping of sweep fields");
            }
            if (stream.Documents.Count == 0)
            {
                throw new InputException($"{file}:1: (document): the file is empty; accepted: a YAML mapping with at least sweep, models, transforms");
            }
            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw Error(stream.Documents[0].RootNode, "(document)", "expected a mapping of sweep fields; accepted: sweep, models, transforms, ...");
            }
            return root;
        }

        public InputException Error(YamlNode node, string field, string message) =>
            new($"{file}:{node.Start.Line}: {field}: {message}");

        public string KeyName(YamlNode key) =>
            key is YamlScalarNode { Value: { } value } ? value : throw Error(key, "(key)", "keys must be plain names; accepted: sweep, models, ...");

        public YamlNode? ValueNode(YamlMappingNode map, string key)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode { Value: { } name } && name == key)
                {
                    return v is YamlScalarNode { Value: null or "" or "~" or "null" } && v.Tag.IsEmpty ? null : v;
                }
            }
            return null;
        }

        public string? Scalar(YamlMappingNode map, string key, bool required, string? fallback)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return required ? throw Error(map, key, $"required field is missing; accepted: {Example(key)}") : fallback;
            }
            if (node is not YamlScalarNode scalar)
            {
                throw Error(node, key, $"expected a single value, found a {Kind(node)}; accepted: {Example(key)}");
            }
            return scalar.Value ?? "";
        }

        public bool Bool(YamlMappingNode map, string key, bool fallback)
        {
            var text = Scalar(map, key, required: false, fallback: null);
            return text switch
            {
                null => fallback,
                "true" or "yes" => true,
                "false" or "no" => false,
                _ => throw Error(ValueNode(map, key)!, key, $"'{text}' is not a boolean; accepted: true, false"),
            };
        }

        public int PositiveInt(YamlMappingNode map, string key, string field, int fallback)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return fallback;
            }
            if (node is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                throw Error(node, field, $"'{Describe(node)}' is not a positive whole number; accepted: 1, 2, ... up to {int.MaxValue}");
            }
            return value;
        }

        /// <summary>A finite number above 0 and at most 1, or null when the field is absent.</summary>
        public double? Fraction(YamlMappingNode map, string key, string field)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return null;
            }
            if (node is not YamlScalarNode { Value: { } text } || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !(value > 0 && value <= 1))
            {
                throw Error(node, field, $"'{Describe(node)}' is not a share; accepted: a number above 0 and at most 1, such as 0.8333");
            }
            return value;
        }

        /// <summary>A walk learning rate <see cref="WalkLearningRate"/> accepts, or null when the field is absent.</summary>
        public double? PositiveRate(YamlMappingNode map, string key, string field)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return null;
            }
            if (node is not YamlScalarNode { Value: { } text } || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw Error(node, field, $"'{Describe(node)}' is not a learning rate; accepted: a number above 0 and below {WalkLearningRate.Limit}, such as 0.005");
            }
            if (WalkLearningRate.Problem(value) is { } problem)
            {
                throw Error(node, field, problem);
            }
            return value;
        }

        /// <summary>A list of scalars (a single scalar counts as a one-item list); empty lists and repeats are errors.</summary>
        public List<string> StringList(YamlMappingNode map, string key)
        {
            var node = ValueNode(map, key)!;
            var items = node switch
            {
                YamlScalarNode scalar => [scalar],
                YamlSequenceNode sequence => sequence.Children.ToList(),
                _ => throw Error(node, key, $"expected a list, found a {Kind(node)}; accepted: {Example(key)}"),
            };
            if (items.Count == 0)
            {
                throw Error(node, key, $"the list is empty; accepted: {Example(key)}");
            }
            var values = new List<string>();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not YamlScalarNode { Value: { } value })
                {
                    throw Error(items[i], $"{key}[{i}]", $"expected a single value, found a {Kind(items[i])}; accepted: {Example(key)}");
                }
                if (values.Contains(value))
                {
                    throw Error(items[i], $"{key}[{i}]", $"'{value}' is listed twice; accepted: each value once");
                }
                values.Add(value);
            }
            return values;
        }

        public List<string> Choices(YamlMappingNode map, string key, string[] accepted, bool required, string[] fallback)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return required ? throw Error(map, key, $"required field is missing; accepted: a list of {string.Join(", ", accepted)}") : [.. fallback];
            }
            var values = StringList(map, key);
            for (var i = 0; i < values.Count; i++)
            {
                if (!accepted.Contains(values[i]))
                {
                    var item = node is YamlSequenceNode sequence ? sequence.Children[i] : node;
                    throw Error(item, node is YamlSequenceNode ? $"{key}[{i}]" : key,
                        $"'{values[i]}' is not one of the {key}{Suggest(values[i], accepted)}; accepted: {string.Join(", ", accepted)}");
                }
            }
            return values;
        }

        public List<int> IntList(YamlMappingNode map, string key, int min, int[] fallback)
        {
            var node = ValueNode(map, key);
            if (node is null)
            {
                return [.. fallback];
            }
            var texts = StringList(map, key);
            var values = new List<int>();
            for (var i = 0; i < texts.Count; i++)
            {
                if (!int.TryParse(texts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
                {
                    var item = node is YamlSequenceNode sequence ? sequence.Children[i] : node;
                    throw Error(item, node is YamlSequenceNode ? $"{key}[{i}]" : key, $"'{texts[i]}' is not a whole number >= {min}; accepted: e.g. [0, 1, 2]");
                }
                values.Add(value);
            }
            return values;
        }

        private static string Kind(YamlNode node) => node switch
        {
            YamlMappingNode => "mapping",
            YamlSequenceNode => "list",
            _ => "single value",
        };

        private static string Example(string key) => key switch
        {
            "sweep" => "a name such as quickstart",
            "models" => $"a list of {string.Join(", ", SweepCatalog.Models)}",
            "transforms" => $"a list of {string.Join(", ", SweepCatalog.Transforms)}",
            "classes" => "all, or a list of class labels",
            "seeds" => "a list of whole numbers such as [0, 1]",
            "device" => string.Join(", ", SweepCatalog.DevicePolicies),
            _ => "see docs/orchestration.md",
        };

        private static string Clean(string message) => message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
    }
}
