using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Data;
using TorchSharp;

namespace Steerability.Experiments.Tests.Families.Shapes;

public sealed class ShapesDatasetTests
{
    [Fact]
    public void RendersTwelveClassesDeterministicallyFromTheSeed()
    {
        var (first, truth) = ShapesDataset.Generate(perClass: 4, imageSize: 32, seed: 5);
        var (second, _) = ShapesDataset.Generate(perClass: 4, imageSize: 32, seed: 5);
        var (other, _) = ShapesDataset.Generate(perClass: 4, imageSize: 32, seed: 6);
        Assert.Equal(12, first.ClassNames.Count);
        Assert.Equal(new long[] { 48, 3, 32, 32 }, first.Images.shape);
        Assert.True((first.Images == second.Images).all().item<bool>(), "same seed, same pixels");
        Assert.False((first.Images == other.Images).all().item<bool>(), "another seed, other pixels");
        Assert.Equal(48, truth.Length);
        Assert.InRange(first.Images.min().item<float>(), -1f, -0.9f);
        Assert.InRange(first.Images.max().item<float>(), 0.5f, 1f);
    }

    [Fact]
    public void ClassSpreadsDifferAndAttributesOrderClassesDifferently()
    {
        var classes = ShapesClassTable.Classes;
        var scale = classes.Select(c => c.Scale.Std).ToArray();
        var shift = classes.Select(c => c.CentreX.Std).ToArray();
        Assert.True(scale.Max() / scale.Min() > 10, "some classes are narrow and some wide in scale");
        var scaleOrder = Enumerable.Range(0, 12).OrderBy(i => scale[i]).ToArray();
        var shiftOrder = Enumerable.Range(0, 12).OrderBy(i => shift[i]).ToArray();
        Assert.NotEqual(scaleOrder, shiftOrder);
    }

    [Fact]
    public void TrueAttributesFollowTheTable()
    {
        var (images, truth) = ShapesDataset.Generate(perClass: 300, imageSize: 32, seed: 9);
        var labels = images.Labels.data<long>().ToArray();
        foreach (var (shape, index) in ShapesClassTable.Classes.Select((c, i) => (c, i)))
        {
            var scales = truth.Where((_, i) => labels[i] == index).Select(t => t.Scale).ToArray();
            var mean = scales.Average();
            var std = Math.Sqrt(scales.Select(s => (s - mean) * (s - mean)).Average());
            Assert.InRange(mean, shape.Scale.Mean - 0.05, shape.Scale.Mean + 0.05);
            Assert.InRange(std, shape.Scale.Std * 0.7, shape.Scale.Std * 1.3 + 0.005);
        }
    }

    [Fact]
    public void AShapeIsDrawnWhereItsCentreSays()
    {
        var attributes = new ShapeAttributes(Scale: 0.4, CentreX: 6, CentreY: -5, Brightness: 0, Hue: 0, TintR: 0, TintG: 0, TintB: 0, Rotation: 0);
        var pixels = new float[3 * 32 * 32];
        ShapesDataset.Render(ShapeKind.Square, attributes, 32, pixels);
        var red = pixels.Take(32 * 32).ToArray();
        var background = (float)(ShapesDataset.BackgroundLevel * 2 - 1);
        var lit = Enumerable.Range(0, red.Length).Where(i => red[i] > background + 0.5f).ToArray();
        Assert.InRange(lit.Average(i => i % 32 + 0.5), 16 + 6 - 0.5, 16 + 6 + 0.5);
        Assert.InRange(lit.Average(i => i / 32 + 0.5), 16 - 5 - 0.5, 16 - 5 + 0.5);
    }

    [Fact]
    public void TheBuiltInFingerprintIsTheRenderedDatasetsWithoutRenderingIt()
    {
        var shapes = Steerability.Experiments.Families.GeneratorFamilies.TrainedHere("shapes");
        var paths = new Steerability.Experiments.Runtime.SteerPaths("unused");
        Assert.Equal(shapes.LoadData(Steerability.Experiments.Families.FamilyValues.None, paths).Fingerprint, shapes.DataFingerprint(Steerability.Experiments.Families.FamilyValues.None, paths));
    }
}
