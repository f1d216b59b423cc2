using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>The result of an edit: the edited images and the mask of pixels the edit defines.</summary>
/// <param name="Images">[N, C, S, S] edited images (no clipping).</param>
/// <param name="Mask">[N, C, S, S] 1 where the edit left data, 0 where it did not (binarised).</param>
public sealed record EditResult(Tensor Images, Tensor Mask);

/// <summary>
/// One of the paper's image edits: how it changes an image, which pixels it defines, how its training α is drawn,
/// the value that scales the walk, the test grid, and the nonlinear walk's step size.
/// </summary>
public abstract class ImageTransform
{
    /// <summary>Name used on the command line and in results (zoom, shiftx, shifty, brightness, color, rotate2d, rotate3d).</summary>
    public abstract string Name { get; }

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
    /// The α [count, Dimensions] used to evaluate grid value <paramref name="alpha"/>. For color each sample moves
    /// one channel (sample i moves channel i mod 3), so all three walk vectors are evaluated.
    /// </summary>
    public virtual Tensor EvaluationAlphas(double alpha, int count) =>
        torch.full(count, Dimensions, alpha, dtype: ScalarType.Float32);

    /// <summary>The nonlinear walk's signed step count for α: round(α/ε), zoom round(log α / log ε).</summary>
    public virtual int NonlinearStepsFor(double alpha, int imageSize) =>
        (int)Math.Round(alpha / NonlinearStep(imageSize), MidpointRounding.AwayFromZero);

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
