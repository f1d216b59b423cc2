using System.Text.Json;
using System.Text.Json.Serialization;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// How a user's edit is parameterised, from the JSON beside its TorchScript file: its name, the α that changes
/// nothing, the training range, the test grid, how α scales the walk, and the walk's settings.
/// </summary>
/// <param name="Name">The name in specs and results (letters, digits, '_', '-'; not a built-in edit's).</param>
/// <param name="IdentityAlpha">The α that leaves an image unchanged.</param>
/// <param name="TrainingRange">[low, high]: training α is drawn uniformly from it.</param>
/// <param name="TestGrid">Ascending test α values.</param>
/// <param name="Scaling">`linear`: the walk moves by (α − identity)/scale; `log`: by log(α / identity)/scale (α &gt; 0).</param>
/// <param name="Scale">The α step that moves the walk by one vector length.</param>
/// <param name="LearningRate">The walk's default Adam learning rate.</param>
/// <param name="NonlinearStep">The nonlinear walk's step in α units (a factor for `log`).</param>
/// <param name="NonlinearMaxSteps">The nonlinear walk's largest training step count.</param>
public sealed record UserEditSettings(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("identity_alpha")] double IdentityAlpha,
    [property: JsonPropertyName("training_range")] double[] TrainingRange,
    [property: JsonPropertyName("test_grid")] double[] TestGrid,
    [property: JsonPropertyName("scaling")] string Scaling = "linear",
    [property: JsonPropertyName("scale")] double Scale = 1,
    [property: JsonPropertyName("learning_rate")] double LearningRate = 0.05,
    [property: JsonPropertyName("nonlinear_step")] double NonlinearStep = 0.1,
    [property: JsonPropertyName("nonlinear_max_steps")] int NonlinearMaxSteps = 5)
{
    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Reads and checks the settings; every fault is one line naming <paramref name="origin"/>.</summary>
    public static UserEditSettings Parse(string json, string origin)
    {
        UserEditSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<UserEditSettings>(json, Options);
        }
        catch (JsonException e)
        {
            throw new EditFileException($"{origin}: {e.Message.ReplaceLineEndings(" ")}; accepted: {{\"name\": ..., \"identity_alpha\": 0, \"training_range\": [lo, hi], \"test_grid\": [...]}}");
        }
        if (settings is null)
        {
            throw new EditFileException($"{origin}: empty; accepted: {{\"name\": ..., \"identity_alpha\": 0, \"training_range\": [lo, hi], \"test_grid\": [...]}}");
        }
        settings.Check(origin);
        return settings;
    }

    private void Check(string origin)
    {
        void Fail(string field, string problem) => throw new EditFileException($"{origin}: {field}: {problem}");
        if (string.IsNullOrEmpty(Name) || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            Fail("name", $"'{Name}' is not accepted; use letters, digits, '_' and '-'");
        }
        if (TransformCatalog.Names.Contains(Name))
        {
            Fail("name", $"'{Name}' is a built-in edit; choose another name");
        }
        if (TrainingRange is not { Length: 2 } || !(TrainingRange[0] < TrainingRange[1]) || !TrainingRange.All(double.IsFinite))
        {
            Fail("training_range", "expected [low, high] with low < high, finite");
        }
        if (TestGrid is not { Length: > 0 } || !TestGrid.All(double.IsFinite) || TestGrid.Zip(TestGrid.Skip(1), (a, b) => a < b).Any(ordered => !ordered))
        {
            Fail("test_grid", "expected a non-empty list of finite numbers in ascending order");
        }
        if (Scaling is not ("linear" or "log"))
        {
            Fail("scaling", $"'{Scaling}' is not accepted; use linear or log");
        }
        if (!(Scale > 0) || !double.IsFinite(Scale))
        {
            Fail("scale", $"{Scale} is not accepted; use a number above 0");
        }
        if (Scaling == "log" && (!(IdentityAlpha > 0) || TrainingRange[0] <= 0 || TestGrid[0] <= 0))
        {
            Fail("scaling", "log needs identity_alpha, training_range and test_grid above 0");
        }
        if (!(LearningRate > 0 && LearningRate < 10))
        {
            Fail("learning_rate", $"{LearningRate} is not accepted; use a number above 0 and below 10");
        }
        if (!(NonlinearStep > 0) || NonlinearMaxSteps < 1 || (Scaling == "log" && NonlinearStep <= 1))
        {
            Fail("nonlinear_step", "expected a step above 0 (above 1 for log scaling) and nonlinear_max_steps ≥ 1");
        }
    }
}
