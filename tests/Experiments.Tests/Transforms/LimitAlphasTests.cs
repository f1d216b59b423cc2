using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Tests.Transforms;

/// <summary>Each edit states the α its limit is measured on; rotate3d's are turns that are neither the identity nor a mirror image.</summary>
public sealed class LimitAlphasTests
{
    private const int Side = 32;

    /// <summary>The homography scaled so its last entry is 1 (a projective map is defined up to scale).</summary>
    private static double[,] Normalised(double degrees)
    {
        var h = Rotate3dTransform.Homography(degrees, Side, Side);
        var result = new double[3, 3];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                result[r, c] = h[r, c] / h[2, 2];
            }
        }
        return result;
    }

    private static bool Same(double[,] a, double[,] b) =>
        Enumerable.Range(0, 9).All(i => Math.Abs(a[i / 3, i % 3] - b[i / 3, i % 3]) < 1e-9);

    private static readonly double[,] Identity = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

    // x ↦ S − x: the image mirrored left to right.
    private static readonly double[,] Mirror = { { -1, 0, Side }, { 0, 1, 0 }, { 0, 0, 1 } };

    [Fact]
    public void Rotate3ds_test_grid_holds_only_identities_and_mirror_images_so_its_limit_uses_turns_that_are_neither()
    {
        var edit = new Rotate3dTransform();
        var grid = edit.LinearTestGrid(Side);

        // The degeneracy the limit avoids is real: every test α maps the image onto itself or its mirror image.
        Assert.All(grid, alpha => Assert.True(Same(Normalised(alpha), Identity) || Same(Normalised(alpha), Mirror), $"α {alpha}"));

        var limit = edit.LimitAlphas(grid);
        Assert.Equal([-67.5, -45, -22.5, 22.5, 45, 67.5], limit);
        Assert.All(limit, alpha =>
        {
            Assert.False(Same(Normalised(alpha), Identity), $"α {alpha} is the identity");
            Assert.False(Same(Normalised(alpha), Mirror), $"α {alpha} is a mirror image");
            // Not edge-on either: the expected foreshortening lies strictly between nothing and the whole.
            Assert.InRange(edit.ExpectedAttribute(1, alpha), 0.3, 0.99);
        });
        Assert.NotNull(edit.LimitAlphasReason);
    }

    [Theory]
    [InlineData("zoom")]
    [InlineData("shiftx")]
    [InlineData("brightness")]
    [InlineData("color")]
    [InlineData("rotate2d")]
    public void The_other_edits_measure_their_limit_on_their_test_grid(string name)
    {
        var edit = TransformCatalog.Create(name);
        var grid = edit.LinearTestGrid(Side);
        Assert.Equal(grid, edit.LimitAlphas(grid));
        Assert.Null(edit.LimitAlphasReason);
        Assert.StartsWith(edit.AttributeName, edit.AttributeDescription);
    }
}
