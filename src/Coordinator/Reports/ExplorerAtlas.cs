using System.Security.Cryptography;
using SkiaSharp;

namespace Steerability.Coordinator.Reports;

/// <summary>
/// Packs the explorer's frames without repeats. The walks' sheets share many tiles exactly: every walk of one model
/// shows the same held-out latents, so the no-walk column is the same in all of them, and walks of one transform share
/// the whole target block (edit(G(z), α) does not depend on the walk). Each distinct tile is stored once, in atlas
/// images of at most <see cref="MaxAtlasSide"/> pixels a side, and each sheet becomes a list of (atlas, tile) references.
/// Tiles are compared pixel for pixel (through a SHA-256 of their bytes), so the page draws exactly the rendered frames.
/// </summary>
public sealed class ExplorerAtlas
{
    /// <summary>Tiles per atlas row.</summary>
    public const int Columns = 24;

    /// <summary>Below every browser's and WebP's limit (16383), and small enough to decode quickly.</summary>
    public const int MaxAtlasSide = 4096;

    private readonly Dictionary<int, List<uint[]>> _tilesBySize = [];
    private readonly Dictionary<(int Size, string Hash), int> _known = [];

    /// <summary>The atlas images, once <see cref="Write"/> has run: file name, tile size, tiles across and down.</summary>
    public sealed record Atlas(string File, int Tile, int Columns, int Rows);

    /// <summary>
    /// Adds the sheet at <paramref name="path"/> (rows × columns tiles of <paramref name="tile"/> pixels) and returns, per
    /// tile in row-major order, its (size group, index among that size's distinct tiles); null when the file does not
    /// decode to that shape.
    /// </summary>
    public IReadOnlyList<int>? Add(string path, int tile, int rows, int columns)
    {
        using var sheet = SKBitmap.Decode(path);
        if (sheet is null || sheet.Width != columns * tile || sheet.Height != rows * tile)
        {
            return null;
        }
        var pixels = sheet.Pixels;
        if (!_tilesBySize.TryGetValue(tile, out var tiles))
        {
            _tilesBySize[tile] = tiles = [];
        }
        var references = new List<int>(rows * columns);
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var cut = new uint[tile * tile];
                for (var y = 0; y < tile; y++)
                {
                    for (var x = 0; x < tile; x++)
                    {
                        cut[y * tile + x] = (uint)pixels[(row * tile + y) * sheet.Width + column * tile + x];
                    }
                }
                var key = (tile, Convert.ToBase64String(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cut.AsSpan()))));
                if (!_known.TryGetValue(key, out var at))
                {
                    at = tiles.Count;
                    tiles.Add(cut);
                    _known[key] = at;
                }
                references.Add(at);
            }
        }
        return references;
    }

    /// <summary>Distinct tiles of <paramref name="tile"/> pixels per atlas image.</summary>
    public static int Capacity(int tile) => Columns * Math.Max(1, MaxAtlasSide / tile);

    /// <summary>
    /// Writes the atlases into <paramref name="folder"/> as frames-atlas-SIZE-N (PNG or lossless WebP, see
    /// <see cref="ReportImages"/>). Tile i of size S is in atlas (S, i / Capacity(S)) at position i mod Capacity(S).
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<Atlas>> Write(string folder)
    {
        var written = new Dictionary<int, IReadOnlyList<Atlas>>();
        foreach (var (tile, tiles) in _tilesBySize)
        {
            var capacity = Capacity(tile);
            var atlases = new List<Atlas>();
            for (var first = 0; first < tiles.Count; first += capacity)
            {
                var count = Math.Min(capacity, tiles.Count - first);
                var rows = (count + Columns - 1) / Columns;
                using var bitmap = new SKBitmap(Columns * tile, rows * tile, SKColorType.Rgba8888, SKAlphaType.Opaque);
                bitmap.Erase(SKColors.White);
                for (var i = 0; i < count; i++)
                {
                    var (left, top) = (i % Columns * tile, i / Columns * tile);
                    var cut = tiles[first + i];
                    for (var y = 0; y < tile; y++)
                    {
                        for (var x = 0; x < tile; x++)
                        {
                            bitmap.SetPixel(left + x, top + y, new SKColor(cut[y * tile + x]));
                        }
                    }
                }
                using var image = SKImage.FromBitmap(bitmap);
                using var png = image.Encode(SKEncodedImageFormat.Png, 100);
                var file = ReportImages.Write(png.ToArray(), Path.Combine(folder, $"frames-atlas-{tile}-{atlases.Count}.png"));
                atlases.Add(new Atlas(file, tile, Columns, rows));
            }
            written[tile] = atlases;
        }
        return written;
    }
}
