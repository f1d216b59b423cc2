using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>The result of an edit: the edited images and the mask of pixels the edit defines.</summary>
/// <param name="Images">[N, C, S, S] edited images (no clipping).</param>
/// <param name="Mask">[N, C, S, S] 1 where the edit left data, 0 where it did not (binarised).</param>
public sealed record EditResult(Tensor Images, Tensor Mask);

/// <summary>
/// One image edit, owning everything about itself: its name, how it changes an image and which pixels it defines
/// (the mask), its α units and how training α is drawn, the value that scales the walk, its training and inner
/// ranges, its test grids, the nonlinear walk's step size, the walk's default learning rate, the attribute it moves
/// and the change it expects, and how its α is plotted. Nothing outside an edit's own file asks for it by name.
/// </summary>
public abstract class ImageTransform
{
    /// <summary>Name used on the command line, in specs and in results (zoom, shiftx, ...), listed by <see cref="TransformCatalog"/>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The linear walk's default Adam learning rate for a few hundred steps (the walk defaults table,
    /// <see cref="Walks.WalkSettings"/>, reads it; a user's edit gives it for both walk types): 0.1 for the geometric
    /// edits, lower for the photometric ones. The paper's rates (1e-3, zoom 1e-4) suit its tens of thousands of steps; on the generators
    /// trained here a geometric edit lies far along the walk (|Δz| of 9–12 for a 6-pixel shift), which those rates
    /// never reach in a few hundred steps.
    /// </summary>
    public virtual double DefaultLearningRate => 0.1;

    /// <summary>The α units, with an example, for messages (e.g. "pixels such as [-8, 0, 8]").</summary>
    public abstract string AlphaUnits { get; }

    /// <summary>Why <paramref name="alpha"/> is not a value of this edit ("is not ...; accepted: ..."), or null when it is.</summary>
    public virtual string? AlphaProblem(double alpha) => null;

    /// <summary>The grid point halfway between two neighbours, in the edit's own units (a finer grid inserts it).</summary>
    public virtual double Midpoint(double low, double high) => Math.Round((low + high) / 2, 6);

    /// <summary>True for α in the inner half of the training range, where a learned walk is expected to follow the edit.</summary>
    public abstract bool InInnerRange(double alpha, int imageSize);

    /// <summary>False for an edit without a measurable attribute (a user's edit): the limits study does not apply to it.</summary>
    public virtual bool HasAttribute => true;

    /// <summary>The name of the attribute this edit moves, as the limits tables' attribute column gives it.</summary>
    public abstract string AttributeName { get; }

    /// <summary>The attribute this edit moves, read from what the detector measured on one image.</summary>
    public abstract double Attribute(ImageAttributes attributes);

    /// <summary>The attribute after an edit of α, given the unmoved attribute (what a perfect walk would reach).</summary>
    public abstract double ExpectedAttribute(double unmoved, double alpha);

    /// <summary>The label of the α axis in plots.</summary>
    public virtual string AxisLabel => "α";

    /// <summary>Where α sits on the plot's axis (zoom: log2 α, so ½ and 2 lie at equal distances from 1).</summary>
    public virtual double AxisValue(double alpha) => alpha;

    /// <summary>How many walk vectors the transform has: 3 for color (one per channel), 1 for the rest.</summary>
    public virtual int Dimensions => 1;

    /// <summary>The α that leaves an image unchanged (1 for zoom, 0 otherwise).</summary>
    public virtual double IdentityAlpha => 0.0;

    /// <summary>The nonlinear walk's step ε in α units (zoom: a factor) for images of side <paramref name="imageSize"/>.</summary>
    public abstract double NonlinearStep(int imageSize);

    /// <summary>The nonlinear walk's largest training step count N.</summary>
    public abstract int NonlinearMaxSteps { get; }

    /// <summary>Applies the edit to images [N, C, S, S] with per-sample α [N, Dimensions].</summary>
    public EditResult Apply(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var edit = Edit(images, alphas);
        // Samples whose α is the identity are returned bit for bit (interpolation would add 1e-7 noise),
        // so a linear walk at α = 0 scores exactly 0.
        var identity = (alphas == IdentityAlpha).all(dim: 1).view(-1, 1, 1, 1);      // [N,1,1,1]
        var edited = torch.where(identity, images, edit.Images);
        var mask = torch.where(identity, torch.ones_like(edit.Mask), edit.Mask);
        return new EditResult(edited.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>The edit itself, for per-sample α [N, Dimensions].</summary>
    protected abstract EditResult Edit(Tensor images, Tensor alphas);

    /// <summary>Draws training α [count, Dimensions] as the paper does (on the CPU, as float64 values).</summary>
    public abstract double[,] SampleTrainingAlphas(int count, Random random, int imageSize);

    /// <summary>The value that scales the walk vector(s) for α [N, Dimensions] (zoom: log α; shifts: α/(S/2); rotations: α/45).</summary>
    public abstract Tensor WalkCoefficients(Tensor alphas, int imageSize);

    /// <summary>The test α grid for linear walks at image side <paramref name="imageSize"/>.</summary>
    public abstract IReadOnlyList<double> LinearTestGrid(int imageSize);

    /// <summary>The test α grid for nonlinear walks (zoom differs: powers of two).</summary>
    public virtual IReadOnlyList<double> NonlinearTestGrid(int imageSize) => LinearTestGrid(imageSize);

    /// <summary>
    /// The α [count, Dimensions] that grid value <paramref name="alpha"/> stands for in the headline evaluation, the
    /// strip, the explorer and the limits study: every walk dimension moved by α (color: all three channels equally,
    /// as the paper's figure).
    /// </summary>
    public Tensor EvaluationAlphas(double alpha, int count) =>
        torch.full(count, Dimensions, alpha, dtype: ScalarType.Float32);

    /// <summary>
    /// The nonlinear walk's signed step count for α before rounding: α/ε (zoom: log α / log ε). The walk rounds it as
    /// its defaults say (<see cref="Walks.WalkDefaults.Rounding"/>).
    /// </summary>
    public virtual double NonlinearSteps(double alpha, int imageSize) => alpha / NonlinearStep(imageSize);

    /// <summary>
    /// The edit a nonlinear walk learns and is measured on: this one, except colour, whose nonlinear walk is the
    /// authors' luminance walk (one slider moving all three channels).
    /// </summary>
    public virtual ImageTransform NonlinearEdit => this;

    /// <summary>
    /// The evaluations along α, each one labelled table of alpha_metrics: <see cref="EvaluationMode.EqualName"/> first
    /// (<see cref="EvaluationAlphas"/>); an edit with several walk vectors may add one per vector (color: red, green, blue).
    /// </summary>
    public virtual IReadOnlyList<EvaluationMode> EvaluationModes =>
        [new(EvaluationMode.EqualName, Dimensions == 1 ? "α" : "every walk dimension moved by α", EvaluationAlphas)];

    /// <summary>
    /// The α the limits study measures the attribute on, given the walk's test grid: the grid itself unless the edit
    /// says otherwise (rotate3d: its test grid holds only identities and mirror images).
    /// </summary>
    public virtual IReadOnlyList<double> LimitAlphas(IReadOnlyList<double> testGrid) => testGrid;

    /// <summary>What the limits study measures for this edit, in words (the attribute and how it is read from an image).</summary>
    public virtual string AttributeDescription => AttributeName;

    /// <summary>Why the limits study measures on <see cref="LimitAlphas"/> rather than the test grid; null when it uses the grid.</summary>
    public virtual string? LimitAlphasReason => null;

    /// <summary>
    /// Classes of the generator this edit is used on whose attribute is not defined (shapes: the orientation of a
    /// circle or a square), by class name, with the reason: the limits study leaves them out of its correlation and
    /// says so. Set by the family that knows its classes, in the edit variants it gives.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClassesWithoutAttribute { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The attribute's values on one image as the limits study pools them: one value (<see cref="Attribute"/>) unless the
    /// attribute is a distribution of samples per image (luminance: sampled pixels).
    /// </summary>
    public virtual IEnumerable<double> AttributeValues(ImageAttributes attributes) => [Attribute(attributes)];


    /// <summary>The α reached by n nonlinear steps: n·ε (zoom: εⁿ).</summary>
    public virtual double AlphaOfSteps(int steps, int imageSize) => steps * NonlinearStep(imageSize);

    /// <summary>The training range of α as [low, high] (for reporting and for the augmented regime).</summary>
    public abstract (double Low, double High) TrainingRange(int imageSize);

    /// <summary>Samples an image through a sampling grid [N, S, S, 2] and returns the edit with its binarised mask.</summary>
    protected static EditResult Resample(Tensor images, Tensor grid)
    {
        using var scope = torch.NewDisposeScope();
        var edited = nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        var coverage = nn.functional.grid_sample(torch.ones_like(images), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        // The paper binarises geometric masks: any pixel that received some data counts.
        var mask = (coverage > 0).to(images.dtype);
        return new EditResult(edited.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>Draws an integer magnitude in [1, max] with a random sign.</summary>
    protected static int SignedInteger(Random random, int max)
    {
        var magnitude = random.Next(1, max + 1);
        return random.Next(2) == 0 ? -magnitude : magnitude;
    }

    /// <summary>n evenly spaced values from low to high inclusive.</summary>
    protected static double[] Linspace(double low, double high, int count) =>
        Enumerable.Range(0, count).Select(i => low + (high - low) * i / (count - 1)).ToArray();
}
