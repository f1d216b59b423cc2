using TorchSharp;
using Steerability.Experiments.Attributes;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// A user's edit written as TorchScript source, compiled at run time by libtorch (no Python): a function
/// `edit(images, alpha) -> (edited, mask)` over images [N, C, S, S] in [-1, 1] and α [N, 1], with its α range, grid
/// and scaling in <see cref="UserEditSettings"/>. It is checked when it is made, on a small probe batch, so a file
/// that does not compile, has the wrong signature, returns the wrong shape or non-finite values is refused at once.
/// </summary>
public sealed class ScriptedEdit : ImageTransform
{
    /// <summary>The function the source must define.</summary>
    public const string FunctionName = "edit";

    private readonly jit.CompilationUnit _unit;

    public ScriptedEdit(string source, UserEditSettings settings, string origin)
    {
        Source = source;
        Settings = settings;
        Origin = origin;
        try
        {
            _unit = jit.compile(source);
        }
        catch (Exception e)
        {
            throw new EditFileException($"{origin}: the TorchScript does not compile: {FirstLine(e)}");
        }
        Probe();
    }

    public string Source { get; }
    public UserEditSettings Settings { get; }
    public string Origin { get; }

    public override string Name => Settings.Name;
    public override double IdentityAlpha => Settings.IdentityAlpha;
    public override double DefaultLearningRate => Settings.LearningRate;
    public override double NonlinearStep(int imageSize) => Settings.NonlinearStep;
    public override int NonlinearMaxSteps => Settings.NonlinearMaxSteps;
    private bool Logarithmic => Settings.Scaling == "log";

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        var (edited, mask) = Invoke(images, alphas);
        if (!edited.shape.SequenceEqual(images.shape) || !mask.shape.SequenceEqual(images.shape))
        {
            throw new EditFileException($"{Origin}: {FunctionName} returned shapes [{string.Join(", ", edited.shape)}] and [{string.Join(", ", mask.shape)}]; " +
                $"accepted: (edited, mask), both the images' shape [{string.Join(", ", images.shape)}]");
        }
        // Masks are binarised as the built-in edits' are: a pixel the edit defines counts.
        return new EditResult(edited.to(images.dtype), (mask > 0.5).to(images.dtype));
    }

    private (Tensor Edited, Tensor Mask) Invoke(Tensor images, Tensor alphas)
    {
        object result;
        try
        {
            result = _unit.invoke(FunctionName, images, alphas.to(images.device).to(images.dtype));
        }
        catch (Exception e)
        {
            throw new EditFileException($"{Origin}: calling {FunctionName}(images, alpha) failed: {FirstLine(e)}; accepted: def {FunctionName}(images, alpha) -> (edited, mask)");
        }
        return result switch
        {
            (Tensor edited, Tensor mask) => (edited, mask),
            object[] { Length: 2 } pair when pair[0] is Tensor edited && pair[1] is Tensor mask => (edited, mask),
            Tensor[] { Length: 2 } pair => (pair[0], pair[1]),
            _ => throw new EditFileException($"{Origin}: {FunctionName} returned {Describe(result)}; accepted: a pair of tensors (edited, mask)"),
        };
    }

    /// <summary>Runs the edit on a small batch at both ends of the training range and checks what comes back.</summary>
    private void Probe()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var images = torch.linspace(-0.9, 0.9, 2 * 3 * 8 * 8).view(2, 3, 8, 8);
        var alphas = torch.tensor(new[] { (float)Settings.TrainingRange[0], (float)Settings.TrainingRange[1] }).view(2, 1);
        var result = Edit(images, alphas);
        if (!result.Images.isfinite().all().item<bool>())
        {
            throw new EditFileException($"{Origin}: {FunctionName} returned non-finite values (NaN or Inf) on a probe batch at α = {Settings.TrainingRange[0]} and {Settings.TrainingRange[1]}; accepted: finite images");
        }
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var (low, high) = (Settings.TrainingRange[0], Settings.TrainingRange[1]);
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = Logarithmic ? low * Math.Pow(high / low, random.NextDouble()) : low + (high - low) * random.NextDouble();
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => Logarithmic
        ? (alphas.to(ScalarType.Float32) / (float)IdentityAlpha).log() / (float)Settings.Scale
        : (alphas.to(ScalarType.Float32) - (float)IdentityAlpha) / (float)Settings.Scale;

    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Settings.TestGrid;
    public override (double Low, double High) TrainingRange(int imageSize) => (Settings.TrainingRange[0], Settings.TrainingRange[1]);

    public override double NonlinearSteps(double alpha, int imageSize) => Logarithmic
        ? Math.Log(alpha / IdentityAlpha) / Math.Log(Settings.NonlinearStep)
        : (alpha - IdentityAlpha) / Settings.NonlinearStep;

    public override double AlphaOfSteps(int steps, int imageSize) =>
        Logarithmic ? IdentityAlpha * Math.Pow(Settings.NonlinearStep, steps) : IdentityAlpha + steps * Settings.NonlinearStep;

    public override string AlphaUnits => $"α values of {Name} such as [{string.Join(", ", Settings.TestGrid.Take(3))}]";
    public override string? AlphaProblem(double alpha) => Logarithmic && alpha <= 0 ? $"is not an α of {Name}; accepted: numbers > 0 (log scaling)" : null;

    public override double Midpoint(double low, double high) => Logarithmic ? Math.Round(Math.Sqrt(low * high), 6) : base.Midpoint(low, high);

    /// <summary>The middle half of the training range around the identity.</summary>
    public override bool InInnerRange(double alpha, int imageSize) => Logarithmic
        ? Math.Abs(Math.Log(alpha / IdentityAlpha)) <= Math.Log(Settings.TrainingRange[1] / Settings.TrainingRange[0]) / 4
        : Math.Abs(alpha - IdentityAlpha) <= (Settings.TrainingRange[1] - Settings.TrainingRange[0]) / 4;

    public override bool HasAttribute => false;
    public override string AttributeName => "none";
    public override double Attribute(ImageAttributes attributes) => throw new NotSupportedException($"{Name}: a user's edit has no attribute to measure");
    public override double ExpectedAttribute(double unmoved, double alpha) => throw new NotSupportedException($"{Name}: a user's edit has no attribute to measure");

    private static string FirstLine(Exception e) =>
        e.Message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? e.GetType().Name;

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        Tensor t => $"one tensor [{string.Join(", ", t.shape)}]",
        object[] items => $"{items.Length} values",
        _ => value.GetType().Name,
    };
}
