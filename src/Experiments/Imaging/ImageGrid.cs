using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Imaging;

/// <summary>Lays images out in a grid and writes it as a PNG, so a person can see what a generator or walk does.</summary>
public static class ImageGrid
{
    private static readonly Lazy<bool> NativeLibraryPresent = new(() =>
    {
        try
        {
            // Asks the native library for its version without creating a Skia object: an object whose native half
            // failed to load would crash the process later, from its finaliser.
            _ = SkiaSharpVersion.Native;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>False where SkiaSharp's native library cannot load (e.g. a slimmed GPU bundle): images are then skipped.</summary>
    public static bool IsAvailable => NativeLibraryPresent.Value;

    /// <summary>
    /// Writes images [rows·columns, C, S, S] in [-1, 1] (row-major) as one PNG with a 2-pixel white gutter,
    /// each image enlarged <paramref name="zoom"/> times (nearest neighbour, so pixels stay visible).
    /// </summary>
    public static void WritePng(Tensor images, int rows, int columns, string path, int zoom = 2)
    {
        var cpu = images.detach().to(ScalarType.Float32).cpu();
        var channels = (int)cpu.shape[1];
        var size = (int)cpu.shape[2];
        var values = cpu.contiguous().data<float>().ToArray();
        const int gutter = 2;
        var cell = size * zoom;
        var width = columns * cell + (columns + 1) * gutter;
        var height = rows * cell + (rows + 1) * gutter;
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        var plane = size * size;
        for (var index = 0; index < Math.Min(rows * columns, (int)cpu.shape[0]); index++)
        {
            var left = gutter + index % columns * (cell + gutter);
            var top = gutter + index / columns * (cell + gutter);
            var offset = index * channels * plane;
            for (var y = 0; y < cell; y++)
            {
                for (var x = 0; x < cell; x++)
                {
                    var at = offset + y / zoom * size + x / zoom;
                    var r = ToByte(values[at]);
                    var g = channels > 1 ? ToByte(values[at + plane]) : r;
                    var b = channels > 2 ? ToByte(values[at + 2 * plane]) : r;
                    bitmap.SetPixel(left + x, top + y, new SKColor(r, g, b));
                }
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        var temporary = path + ".partial";
        using (var stream = File.Create(temporary))
        {
            data.SaveTo(stream);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static byte ToByte(float signed) => (byte)Math.Clamp((int)Math.Round((signed + 1) * 127.5), 0, 255);
}
