using SkiaSharp;
using Steerability.Coordinator.Reports;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>The explorer's atlas: tiles repeated across sheets are stored once, and every reference finds its own pixels.</summary>
public sealed class ExplorerAtlasTests : IDisposable
{
    private const int Tile = 4;

    private readonly string _folder = Directory.CreateTempSubdirectory("steer-atlas-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A sheet of rows × columns tiles, each told apart by its seed (red and green) and graded within (blue).
    private string Sheet(string name, int rows, int columns, Func<int, int, int> seedOf)
    {
        using var bitmap = new SKBitmap(columns * Tile, rows * Tile, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                var seed = seedOf(row, column);
                for (var y = 0; y < Tile; y++)
                {
                    for (var x = 0; x < Tile; x++)
                    {
                        // One pixel per tile differs with (x, y), so a tile cut at the wrong offset shows.
                        bitmap.SetPixel(column * Tile + x, row * Tile + y, new SKColor((byte)seed, (byte)(seed >> 8), (byte)(y * Tile + x)));
                    }
                }
            }
        }
        var path = Path.Combine(_folder, name);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    [Fact]
    public void SharedTilesAreStoredOnceAndEveryReferenceShowsItsTile()
    {
        // Column 0 (the no-walk image) and columns 2-3 (the target block) are the same in both sheets; column 1 differs.
        var first = Sheet("a.png", 2, 4, (row, column) => column == 1 ? 100 + row : row * 4 + column);
        var second = Sheet("b.png", 2, 4, (row, column) => column == 1 ? 200 + row : row * 4 + column);
        var atlas = new ExplorerAtlas();

        var a = atlas.Add(first, Tile, 2, 4)!;
        var b = atlas.Add(second, Tile, 2, 4)!;
        var written = atlas.Write(_folder)[Tile];

        Assert.Equal(8 + 2, a.Concat(b).Distinct().Count());
        Assert.Equal(a.Where((_, i) => i % 4 != 1), b.Where((_, i) => i % 4 != 1));
        Assert.Single(written);
        AssertReferencesShowTheirTiles(first, 4, a, written);
        AssertReferencesShowTheirTiles(second, 4, b, written);
    }

    private void AssertReferencesShowTheirTiles(string sheet, int columns, IReadOnlyList<int> references, IReadOnlyList<ExplorerAtlas.Atlas> atlases)
    {
        using var original = SKBitmap.Decode(sheet);
        var capacity = ExplorerAtlas.Capacity(Tile);
        var images = atlases.Select(a => SKBitmap.Decode(Path.Combine(_folder, a.File))).ToList();
        try
        {
            for (var i = 0; i < references.Count; i++)
            {
                var (row, column) = (i / columns, i % columns);
                var (image, slot) = (images[references[i] / capacity], references[i] % capacity);
                var (left, top) = (slot % ExplorerAtlas.Columns * Tile, slot / ExplorerAtlas.Columns * Tile);
                for (var y = 0; y < Tile; y++)
                {
                    for (var x = 0; x < Tile; x++)
                    {
                        Assert.Equal(original.GetPixel(column * Tile + x, row * Tile + y), image.GetPixel(left + x, top + y));
                    }
                }
            }
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public void ASheetOfAnotherShapeIsRefused()
    {
        var sheet = Sheet("a.png", 2, 4, (row, column) => row + column);
        var atlas = new ExplorerAtlas();

        Assert.Null(atlas.Add(sheet, Tile, 3, 4));
        Assert.Null(atlas.Add(Path.Combine(_folder, "missing.png"), Tile, 2, 4));
    }

    [Fact]
    public void TilesBeyondOneAtlasSpillIntoTheNext()
    {
        var capacity = ExplorerAtlas.Capacity(Tile);
        var side = (int)Math.Ceiling(Math.Sqrt(capacity + 1000));
        var sheet = Sheet("big.png", side, side, (row, column) => row * side + column);
        var atlas = new ExplorerAtlas();

        var references = atlas.Add(sheet, Tile, side, side)!;
        var written = atlas.Write(_folder)[Tile];

        Assert.Equal(side * side, references.Distinct().Count());
        Assert.Equal(2, written.Count);
        Assert.True(written.All(a => a.Rows * Tile <= ExplorerAtlas.MaxAtlasSide));
        AssertReferencesShowTheirTiles(sheet, side, references, written);
    }
}
