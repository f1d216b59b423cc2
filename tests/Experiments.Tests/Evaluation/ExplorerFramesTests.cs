using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Evaluation;

/// <summary>The explorer's frame sheet: where each picture sits, and that each is the picture it claims to be.</summary>
public sealed class ExplorerFramesTests
{
    private const int Size = 16;

    // Images that depend on every latent dimension and vary across the image, so a step of the walk shows.
    private static Tensor Draw(Tensor z)
    {
        var ramp = torch.linspace(-1, 1, Size).view(1, 1, 1, Size);
        var rows = torch.linspace(-1, 1, Size).view(1, 1, Size, 1);
        var a = z[.., 0].view(-1, 1, 1, 1);
        var b = z[.., 1..].sum(1).view(-1, 1, 1, 1);
        return (a * ramp + b * rows).tanh().expand(-1, 3, Size, Size).contiguous();
    }

    [Fact]
    public void SheetHoldsNoWalkThenWalkThenMaskedTargetPerAlphaForEveryLatent()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new FunctionGenerator("ramp", Size, Draw);
        var transform = TransformCatalog.Create("shiftx");
        using var walk = new LinearWalk(transform, generator.LatentSize, Size, generator.ClassCount, false, new torch.Generator(3), generator.Device);
        double[] grid = [-4, 0, 4];

        using var sheet = ExplorerFrames.Render(generator, transform, walk, grid, [], seed: 7, latentsPerClass: 2);

        Assert.Equal(2, sheet.Rows);
        Assert.Equal(1 + 2 * grid.Length, sheet.Columns);
        Assert.Equal(new long[] { sheet.Rows * sheet.Columns, 3, Size, Size }, sheet.Images.shape);
        var tiles = sheet.Images.view(sheet.Rows, sheet.Columns, 3, Size, Size);
        var unmoved = tiles[.., 0];
        for (var a = 0; a < grid.Length; a++)
        {
            var alphas = transform.EvaluationAlphas(grid[a], sheet.Rows);
            var edit = transform.Apply(unmoved, alphas);
            Assert.True(torch.allclose(tiles[.., 1 + grid.Length + a], edit.Images * edit.Mask, atol: 1e-5), $"target at α = {grid[a]}");
        }
        // α = 0 leaves the latent where it was: the walk's frame is the no-walk frame; a step away changes it.
        Assert.True(torch.allclose(tiles[.., 2], unmoved, atol: 1e-6));
        Assert.True((tiles[.., 1] - unmoved).abs().max().item<float>() > 1e-3, "the walk's frame at α = -4 equals the no-walk frame");
        // The no-walk frame is G of held-out latents: the same seed draws the same, another seed others.
        using var again = ExplorerFrames.Render(generator, transform, walk, grid, [], seed: 7, latentsPerClass: 2);
        using var other = ExplorerFrames.Render(generator, transform, walk, grid, [], seed: 8, latentsPerClass: 2);
        Assert.True(torch.allclose(sheet.Images, again.Images, rtol: 0, atol: 0));
        Assert.False(torch.allclose(sheet.Images, other.Images));
    }
}
