using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Steerability.Experiments.Generators;

/// <summary>
/// The generator's placement stage (<see cref="DcganConfig.AffinePlacement"/>): from the generator's input [z, class]
/// a small head predicts a scale, a rotation and a shift, and the drawn image is resampled through that similarity
/// map. Edge pixels extend outwards, so a drawing whose border is background stays on a plain background.
/// </summary>
/// <remarks>
/// The turn is measured from the class's own turn at z = 0: the head's turn for [z, class] minus its turn for
/// [0, class]. Without that anchor the head settled each class at its own arbitrary turn (the network drew the object
/// turned the other way), from −134° for the arrow to +63° for the tee, and the shift, which the placement applies in
/// the drawing's frame, was turned with it: one shift step moved most classes right and the arrow and the tee up or
/// left, so the linear shift walk barely moved those two.
/// Why a placement at all: a DCGAN's convolutions draw an object's size, turn and place only as far as their weights happen to, and the
/// generators trained here followed the data's per-class spread of these attributes only loosely. A spatial
/// transformer (as LR-GAN places its foreground) gives the generator those attributes as a few numbers it can spread
/// as far as the discriminator asks. The bounds keep every placement on the canvas.
/// </remarks>
public sealed class AffinePlacement : Module<Tensor, Tensor, Tensor>
{
    /// <summary>|log scale| at most 1: the drawing is shown between 0.37× and 2.7× its size.</summary>
    public const double MaxLogScale = 1.0;

    /// <summary>
    /// |the head's rotation| at most a half turn, in radians. With a quarter turn (and before the turn was anchored at
    /// z = 0) the head sat near one bound for every class, and rotate2d walks turned one way only: 54% below the
    /// no-walk baseline at −22.5°, 22% at +22.5°.
    /// </summary>
    public const double MaxRadians = Math.PI;

    /// <summary>|shift| at most 0.75 of half the side (12 px at 32 px), in the drawing's frame.</summary>
    public const double MaxShift = 0.75;

    private readonly Sequential _head;
    private readonly int _latentSize;
    // A registered buffer (RegisterComponents takes tensor fields): it moves with the module and is saved with it.
    private readonly Tensor _bounds;

    /// <param name="latentSize">Size of z, the leading part of the generator's input [z, class embedding].</param>
    /// <param name="classEmbeddingSize">Size of the class embedding, the input's trailing part.</param>
    /// <param name="initialScale">The scale every image starts at (the head's output weights start at zero).</param>
    /// <param name="hidden">Width of the head's hidden layer.</param>
    public AffinePlacement(int latentSize, int classEmbeddingSize, double initialScale = 1.0, int hidden = 64) : base("AffinePlacement")
    {
        _latentSize = latentSize;
        if (initialScale < Math.Exp(-MaxLogScale) || initialScale > Math.Exp(MaxLogScale))
        {
            throw new ArgumentException($"initial placement scale: {initialScale} is not accepted; use a value in [{Math.Exp(-MaxLogScale):0.###}, {Math.Exp(MaxLogScale):0.###}]");
        }
        var output = Linear(hidden, 4);
        using (torch.no_grad())
        {
            output.weight!.zero_();
            output.bias!.zero_();
            output.bias[0] = (float)Math.Atanh(Math.Log(initialScale) / MaxLogScale);
        }
        _head = Sequential(("hidden", Linear(latentSize + classEmbeddingSize, hidden)), ("relu", ReLU()), ("out", output));
        _bounds = torch.tensor(new[] { (float)MaxLogScale, (float)MaxRadians, (float)MaxShift, (float)MaxShift });
        RegisterComponents();
    }

    /// <summary>
    /// The placement of each image [N, 4]: log scale, rotation (radians, from the class's turn at z = 0, so within
    /// ±2π), shift x, shift y (shares of half the side).
    /// </summary>
    public Tensor Placements(Tensor conditioning)
    {
        var placement = _head.forward(conditioning).tanh() * _bounds;
        var latent = conditioning[.., .._latentSize];
        var anchor = torch.cat([torch.zeros_like(latent), conditioning[.., _latentSize..]], dim: 1);
        var anchorTurn = _head.forward(anchor)[.., 1].tanh() * MaxRadians;
        return torch.cat([placement[.., ..1], (placement[.., 1] - anchorTurn).unsqueeze(1), placement[.., 2..]], dim: 1);
    }

    /// <summary>Places <paramref name="drawn"/> [N, C, S, S] by the placement of each image's <paramref name="conditioning"/> [N, d + e].</summary>
    public override Tensor forward(Tensor drawn, Tensor conditioning)
    {
        var placement = Placements(conditioning);
        var inverseScale = placement[.., 0].neg().exp();
        var cos = placement[.., 1].cos() * inverseScale;
        var sin = placement[.., 1].sin() * inverseScale;
        // The drawing is shifted by s in its own frame, then turned and scaled about the image centre: an output
        // point u reads the drawing at R(angle)·u/scale − s. Turning and scaling about the centre are what the
        // rotate2d and zoom edits do to a whole image, so each of those edits is a change of one number here (a shift
        // of the image is a turned and scaled change of s). With v pointing down, a positive angle turns the object
        // counter-clockwise as displayed, the same sense as the rotate2d edit.
        var theta = torch.stack([cos, -sin, placement[.., 2].neg(), sin, cos, placement[.., 3].neg()], dim: 1).view(-1, 2, 3);
        var grid = functional.affine_grid(theta, drawn.shape, align_corners: false);
        return functional.grid_sample(drawn, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }
}
