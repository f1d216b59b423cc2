using Steerability.Experiments.Transforms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Steerability.Experiments.Walks;

/// <summary>
/// The nonlinear walk: per walk dimension, two residual MLPs (forward and backward steps), each
/// Linear(d→d) → ReLU → Linear(d→d). One step is z ← z + f(z), then z is rescaled to its starting norm.
/// As the authors': weights start N(0, 0.05) with zero biases, training draws one n from −N…N (0 included) per batch,
/// and α maps to round(α/ε) steps (zoom: round(log α / log ε)) with halves to even (<see cref="WalkSettings.ProjectNonlinear"/>).
/// </summary>
public sealed class NonlinearWalk : Module, ILatentWalk
{
    private readonly ImageTransform _transform;
    private readonly int _imageSize;
    private readonly ModuleList<Sequential> _forwardSteps;
    private readonly ModuleList<Sequential> _backwardSteps;
    private readonly WalkDefaults _defaults;

    /// <param name="random">Draws the initial weights (null: torch's global generator).</param>
    /// <param name="defaults">Initialisation, step sampling and rounding; null: <see cref="WalkSettings.ProjectNonlinear"/>.</param>
    public NonlinearWalk(ImageTransform transform, int latentSize, int imageSize, Device device, torch.Generator? random = null, WalkDefaults? defaults = null)
        : base("NonlinearWalk")
    {
        _transform = transform;
        _imageSize = imageSize;
        _defaults = defaults ?? WalkSettings.ProjectNonlinear;
        _forwardSteps = new ModuleList<Sequential>(Enumerable.Range(0, transform.Dimensions).Select(_ => StepNetwork(latentSize, random)).ToArray());
        _backwardSteps = new ModuleList<Sequential>(Enumerable.Range(0, transform.Dimensions).Select(_ => StepNetwork(latentSize, random)).ToArray());
        RegisterComponents();
        this.to(device);
    }

    private Sequential StepNetwork(int size, torch.Generator? random)
    {
        var first = Linear(size, size);
        var second = Linear(size, size);
        using (torch.no_grad())
        {
            foreach (var layer in new[] { first, second })
            {
                layer.weight!.normal_(0, _defaults.InitialStd, random);
                if (_defaults.ZeroBias)
                {
                    layer.bias!.zero_();
                }
            }
        }
        return Sequential(first, ReLU(), second);
    }

    /// <summary>The signed whole number of steps the walk takes for α: α/ε rounded as the defaults say (halves to even).</summary>
    public int StepsFor(double alpha) =>
        alpha == _transform.IdentityAlpha ? 0 : (int)Math.Round(_transform.NonlinearSteps(alpha, _imageSize), _defaults.Rounding);

    public string Kind => "nonlinear";

    public IEnumerable<Parameter> TrainableParameters => parameters();

    public Tensor Steer(Tensor latents, Tensor classIndices, Tensor alphas)
    {
        var alphaValues = alphas.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var count = (int)latents.shape[0];
        var dimensions = _transform.Dimensions;
        var startNorm = latents.norm(1, keepdim: true);                                  // [N, 1]
        var z = latents;
        for (var k = 0; k < dimensions; k++)
        {
            var steps = new int[count];
            for (var i = 0; i < count; i++)
            {
                var alpha = alphaValues[i * dimensions + k];
                steps[i] = StepsFor(alpha);
            }
            var longest = steps.Max(Math.Abs);
            if (longest == 0)
            {
                continue;
            }
            var signedSteps = torch.tensor(steps, device: latents.device).view(-1, 1);   // [N, 1]
            for (var t = 1; t <= longest; t++)
            {
                var forward = (signedSteps >= t).to(z.dtype);                            // [N, 1] samples still stepping forward
                var backward = (signedSteps <= -t).to(z.dtype);
                var moved = z + forward * _forwardSteps[k].forward(z) + backward * _backwardSteps[k].forward(z);
                var rescaled = moved * (startNorm / moved.norm(1, keepdim: true).clamp_min(1e-12));
                var active = forward + backward;
                z = active * rescaled + (1 - active) * z;
            }
        }
        return z;
    }

    /// <summary>
    /// One whole number of steps n from −N…N (0 included) for the whole batch, on one walk dimension, targeting
    /// edit(n·ε) (zoom: edit(εⁿ)); n = 0 asks for the unmoved image, as the authors' training does.
    /// </summary>
    public double[,] SampleTrainingAlphas(int count, Random random)
    {
        var dimensions = _transform.Dimensions;
        var alphas = new double[count, dimensions];
        var steps = random.Next(-_transform.NonlinearMaxSteps, _transform.NonlinearMaxSteps + 1);
        var moved = random.Next(dimensions);
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < dimensions; k++)
            {
                alphas[i, k] = k == moved && steps != 0 ? _transform.AlphaOfSteps(steps, _imageSize) : _transform.IdentityAlpha;
            }
        }
        return alphas;
    }
}
