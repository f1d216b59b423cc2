using System.Text.Json;
using System.Text.Json.Serialization;
using SkiaSharp;
using Steerability.Experiments.Evaluation;

namespace Steerability.GpuNode.Results;

/// <summary>What explorer_frames.json says about the sheet beside it: what each row and column of tiles holds.</summary>
public sealed record ExplorerFrameManifest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("transform")] string Transform,
    [property: JsonPropertyName("walk")] string Walk,
    [property: JsonPropertyName("regime")] string Regime,
    [property: JsonPropertyName("tile")] int Tile,
    [property: JsonPropertyName("alphas")] IReadOnlyList<double> Alphas,
    [property: JsonPropertyName("classes")] IReadOnlyList<string> Classes,
    [property: JsonPropertyName("latents_per_class")] int LatentsPerClass);

/// <summary>
/// Stores an <see cref="ExplorerFrameSheet"/> as explorer_frames.png (tiles of S×S pixels with no gutter, one row per
/// class and latent: no-walk, the walk at each α, the target at each α) and explorer_frames.json (the layout).
/// </summary>
public static class ExplorerFrameFiles
{
    public const string SheetFile = "explorer_frames.png";
    public const string ManifestFile = "explorer_frames.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes both files into <paramref name="folder"/>, each whole (temporary name, then rename).</summary>
    public static void Write(ExplorerFrameSheet sheet, IReadOnlyList<string> classNames, string model, string transform, string walk, string regime, string folder)
    {
        var size = (int)sheet.Images.shape[2];
        var channels = (int)sheet.Images.shape[1];
        var values = sheet.Images.contiguous().data<float>().ToArray();
        using var bitmap = new SKBitmap(sheet.Columns * size, sheet.Rows * size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var plane = size * size;
        for (var index = 0; index < sheet.Rows * sheet.Columns; index++)
        {
            var left = index % sheet.Columns * size;
            var top = index / sheet.Columns * size;
            var offset = index * channels * plane;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var at = offset + y * size + x;
                    var r = ToByte(values[at]);
                    var g = channels > 1 ? ToByte(values[at + plane]) : r;
                    var b = channels > 2 ? ToByte(values[at + 2 * plane]) : r;
                    bitmap.SetPixel(left + x, top + y, new SKColor(r, g, b));
                }
            }
        }
        Directory.CreateDirectory(folder);
        using (var image = SKImage.FromBitmap(bitmap))
        using (var png = image.Encode(SKEncodedImageFormat.Png, 100))
        {
            var temporary = Path.Combine(folder, SheetFile + ".partial");
            File.WriteAllBytes(temporary, png.ToArray());
            File.Move(temporary, Path.Combine(folder, SheetFile), overwrite: true);
        }
        var names = sheet.Classes.Select(c => c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var manifest = new ExplorerFrameManifest(model, transform, walk, regime, size, sheet.Alphas, names, sheet.LatentsPerClass);
        AtomicFile.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Indented));
    }

    /// <summary>Reads a manifest; null when it is missing or not one (the report then leaves that walk out of the explorer).</summary>
    public static ExplorerFrameManifest? ReadManifest(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ExplorerFrameManifest>(File.ReadAllText(path));
            return manifest is { Tile: > 0, Alphas.Count: > 0, Classes.Count: > 0, LatentsPerClass: > 0 } ? manifest : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    private static byte ToByte(float signed) => (byte)Math.Clamp((int)Math.Round((signed + 1) * 127.5), 0, 255);
}
