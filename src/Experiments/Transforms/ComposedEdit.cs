using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>One step of a composition: a built-in edit and the α it reaches at the composition's α = 1.</summary>
/// <param name="Edit">The built-in edit's name.</param>
/// <param name="Scale">Its α moves by this much per unit of the composition's α (zoom: 0.5 gives α from 0.5 to 1.5).</param>
public sealed record CompositionStep(string Edit, double Scale);

/// <summary>
/// Built-in edits applied one after another, declared in a spec (e.g. zoom, then shift x): one α t in [-1, 1] drives
/// them all, step i at α_i = identity_i + scale_i·t. A pixel is defined when every step defines it (the first steps'
/// mask is carried through the later ones).
/// </summary>
public sealed class ComposedEdit : ImageTransform
{
    private readonly (ImageTransform Edit, double Scale)[] _steps;

    public ComposedEdit(string name, IReadOnlyList<CompositionStep> steps, string origin)
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || TransformCatalog.Names.Contains(name))
        {
            throw new EditFileException($"{origin}: name '{name}' is not accepted; use letters, digits, '_' and '-', not a built-in edit's name");
        }
        if (steps.Count < 2)
        {
            throw new EditFileException($"{origin}: a composition needs at least two steps; accepted: e.g. [{{edit: zoom, scale: 0.5}}, {{edit: shiftx, scale: 8}}]");
        }
        Name = name;
        Steps = steps;
        _steps = steps.Select(step =>
        {
            var edit = TransformCatalog.TryBuiltIn(step.Edit)
                ?? throw new EditFileException($"{origin}: '{step.Edit}' is not a built-in edit; accepted: {string.Join(", ", TransformCatalog.Names)}");
            if (!(step.Scale > 0) || !double.IsFinite(step.Scale))
            {
                throw new EditFileException($"{origin}: {step.Edit} scale {step.Scale} is not accepted; use a number above 0");
            }
            foreach (var end in new[] { edit.IdentityAlpha - step.Scale, edit.IdentityAlpha + step.Scale })
            {
                if (edit.AlphaProblem(end) is { } problem)
                {
                    throw new EditFileException($"{origin}: {step.Edit} scale {step.Scale} reaches α = {end}, which {problem}");
                }
            }
            return (edit, step.Scale);
        }).ToArray();
    }

    public IReadOnlyList<CompositionStep> Steps { get; }

    public override string Name { get; }
    public override double NonlinearStep(int imageSize) => 0.25;
    public override int NonlinearMaxSteps => 4;
    public override double DefaultLearningRate => _steps.Min(s => s.Edit.DefaultLearningRate);

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var t = alphas.view(-1, 1).to(ScalarType.Float32);                                   // [N, 1]
        var current = images;
        var mask = torch.ones_like(images);
        foreach (var (edit, scale) in _steps)
        {
            var stepAlphas = (edit.IdentityAlpha + scale * t).expand(-1, edit.Dimensions).contiguous();   // [N, K]
            var result = edit.Apply(current, stepAlphas);
            var carried = edit.Apply(mask, stepAlphas).Images;                               // where the earlier steps' pixels went
            mask = (carried > 0.5).to(images.dtype) * result.Mask;
            current = result.Images;
        }
        return new EditResult(current.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = 2 * random.NextDouble() - 1;                                        // U(-1, 1)
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32);
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Linspace(-1, 1, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-1, 1);
    public override string AlphaUnits => "composition steps from -1 to 1 such as [-0.5, 0, 0.5] (0 = none)";
    public override string? AlphaProblem(double alpha) => alpha is >= -1 and <= 1 ? null : "is outside the composition's range; accepted: numbers from -1 to 1";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 0.5;

    public override bool HasAttribute => false;
    public override string AttributeName => "none";
    public override double Attribute(ImageAttributes attributes) => throw new NotSupportedException($"{Name}: a composition has no attribute to measure");
    public override double ExpectedAttribute(double unmoved, double alpha) => throw new NotSupportedException($"{Name}: a composition has no attribute to measure");
}
