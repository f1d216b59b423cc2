using Steerability.Experiments.Transforms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Steerability.Experiments.Walks;

/// <summary>
/// The nonlinear walk: per walk dimension, two residual MLPs (forward and backward steps), each
/// Linear(d→d) → ReLU → Linear(d→d). One step is z ← z + f(z), then z is rescaled to its starting norm.
/// α maps to round(α/ε) steps (zoom: round(log α / log ε)).
/// </summary>
public sealed class NonlinearWalk : Module, ILatentWalk
{
    private readonly ImageTransform _transform;
    private readonly int _imageSize;
    private readonly ModuleList<Sequential> _forwardSteps;
    private readonly ModuleList<Sequential> _backwardSteps;

    public NonlinearWalk(ImageTransform transform, int latentSize, int imageSize, Device device) : base("NonlinearWalk")
    {
        _transform = transform;
        _imageSize = imageSize;
        _forwardSteps = new ModuleList<Sequential>(Enumerable.Range(0, transform.Dimensions).Select(_ => StepNetwork(latentSize)).ToArray());
        _backwardSteps = new ModuleList<Sequential>(Enumerable.Range(0, transform.Dimensions).Select(_ => StepNetwork(latentSize)).ToArray());
        RegisterComponents();
        this.to(device);
    }

    private static Sequential StepNetwork(int size) => Sequential(Linear(size, size), ReLU(), Linear(size, size));

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
                steps[i] = alpha == _transform.IdentityAlpha ? 0 : _transform.NonlinearStepsFor(alpha, _imageSize);
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

    public double[,] SampleTrainingAlphas(int count, Random random)
    {
        var dimensions = _transform.Dimensions;
        var alphas = new double[count, dimensions];
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < dimensions; k++)
            {
                alphas[i, k] = _transform.IdentityAlpha;
            }
            // A non-zero whole number of steps n in [−N, N], on one walk dimension, targeting edit(n·ε).
            var magnitude = random.Next(1, _transform.NonlinearMaxSteps + 1);
            var steps = random.Next(2) == 0 ? -magnitude : magnitude;
            alphas[i, random.Next(dimensions)] = _transform.AlphaOfSteps(steps, _imageSize);
        }
        return alphas;
    }
}
