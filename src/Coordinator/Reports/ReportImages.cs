using SkiaSharp;

namespace Steerability.Coordinator.Reports;

/// <summary>
/// Writes the report's images in the smaller of two lossless encodings: PNG or lossless WebP (every browser the report
/// targets shows both from disk). Plots, mostly white with anti-aliased lines, shrink by a third to a half as WebP;
/// frames of an untrained generator (noise) do not, so each image keeps whichever encoding is smaller. Lossless either
/// way: the pixels the page draws are the pixels that were rendered.
/// </summary>
public static class ReportImages
{
    public const string WebpExtension = ".webp";

    // Lossless WebP's quality sets the encoder's effort, not a loss: 100 is its smallest output.
    private static readonly SKWebpEncoderOptions LosslessWebp = new(SKWebpEncoderCompression.Lossless, 100);

    /// <summary>
    /// Writes <paramref name="png"/> (a PNG's bytes) at <paramref name="path"/>, or its lossless WebP at the same path
    /// with the .webp extension when that is smaller. Returns the file name written (no folder).
    /// </summary>
    public static string Write(byte[] png, string path)
    {
        var webp = LosslessWebpOf(png);
        var (bytes, target) = webp is not null && webp.Length < png.Length ? (webp, Path.ChangeExtension(path, WebpExtension)) : (png, path);
        File.WriteAllBytes(target, bytes);
        return Path.GetFileName(target);
    }

    /// <summary>Copies the PNG at <paramref name="source"/> as <see cref="Write(byte[], string)"/> writes one.</summary>
    public static string Copy(string source, string path) => Write(File.ReadAllBytes(source), path);

    /// <summary>The lossless WebP of a PNG's bytes; null when they do not decode.</summary>
    public static byte[]? LosslessWebpOf(byte[] png)
    {
        // SKBitmap.Decode throws, rather than returning null, on bytes no codec reads.
        using var data = SKData.CreateCopy(png);
        using var codec = SKCodec.Create(data);
        using var bitmap = codec is null ? null : SKBitmap.Decode(codec);
        if (bitmap is null)
        {
            return null;
        }
        using var pixels = bitmap.PeekPixels();
        using var webp = pixels.Encode(LosslessWebp);
        return webp?.ToArray();
    }
}
