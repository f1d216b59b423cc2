using SkiaSharp;
using Steerability.Coordinator.Reports;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>The report's images: the smaller of PNG and lossless WebP, with the rendered pixels kept exactly.</summary>
public sealed class ReportImagesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-report-images-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Png(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // What a plot looks like to an encoder: white, with anti-aliased lines and text in a few colours.
    private static SKBitmap PlotLike()
    {
        var bitmap = new SKBitmap(400, 240, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = true, StrokeWidth = 2, Style = SKPaintStyle.Stroke };
        var colours = new[] { SKColors.SteelBlue, SKColors.DarkOrange, SKColors.ForestGreen };
        for (var c = 0; c < colours.Length; c++)
        {
            paint.Color = colours[c];
            using var path = new SKPath();
            path.MoveTo(20, 200);
            for (var x = 20; x < 380; x += 4)
            {
                path.LineTo(x, 200 - (float)(150 * Math.Exp(-Math.Pow((x - 120 - 80 * c) / 40.0, 2))));
            }
            canvas.DrawPath(path, paint);
        }
        return bitmap;
    }

    // What an untrained generator's frames look like to an encoder: noise.
    private static SKBitmap Noise()
    {
        var bitmap = new SKBitmap(96, 96, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(7);
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }
        return bitmap;
    }

    private static void AssertSamePixels(SKBitmap expected, string path)
    {
        using var shown = SKBitmap.Decode(path);
        Assert.NotNull(shown);
        Assert.Equal((expected.Width, expected.Height), (shown.Width, shown.Height));
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                Assert.Equal(expected.GetPixel(x, y), shown.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void PlotIsWrittenAsLosslessWebpWhenThatIsSmaller()
    {
        using var plot = PlotLike();
        var png = Png(plot);

        var file = ReportImages.Write(png, Path.Combine(_folder, "l2-0-zoom.png"));

        Assert.Equal("l2-0-zoom.webp", file);
        Assert.False(File.Exists(Path.Combine(_folder, "l2-0-zoom.png")));
        var written = Path.Combine(_folder, file);
        Assert.True(new FileInfo(written).Length < png.Length, $"{new FileInfo(written).Length} bytes of WebP against {png.Length} of PNG");
        using (var codec = SKCodec.Create(written))
        {
            Assert.Equal(SKEncodedImageFormat.Webp, codec.EncodedFormat);
        }
        AssertSamePixels(plot, written);
    }

    [Fact]
    public void NoiseKeepsItsPngWhenWebpIsNotSmaller()
    {
        using var noise = Noise();
        var png = Png(noise);
        var source = Path.Combine(_folder, "explorer_frames.png");
        File.WriteAllBytes(source, png);
        Assert.True(ReportImages.LosslessWebpOf(png)!.Length >= png.Length, "the noise should not shrink as WebP");

        var file = ReportImages.Copy(source, Path.Combine(_folder, "frames-0-zoom.png"));

        Assert.Equal("frames-0-zoom.png", file);
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(_folder, file)));
        AssertSamePixels(noise, Path.Combine(_folder, file));
    }

    [Fact]
    public void BytesThatAreNoImageAreWrittenAsTheyCame()
    {
        var notAnImage = "not a png"u8.ToArray();

        var file = ReportImages.Write(notAnImage, Path.Combine(_folder, "plot.png"));

        Assert.Equal("plot.png", file);
        Assert.Equal(notAnImage, File.ReadAllBytes(Path.Combine(_folder, "plot.png")));
    }
}
