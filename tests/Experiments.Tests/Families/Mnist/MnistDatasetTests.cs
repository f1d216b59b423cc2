using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.Mnist;
using System.IO.Compression;
using Steerability.Experiments.Data;

namespace Steerability.Experiments.Tests.Families.Mnist;

public sealed class MnistDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-mnist-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private void WriteIdx(int count, bool gzip, int truncateBy = 0)
    {
        var images = new List<byte>();
        images.AddRange(BigEndian(2051));
        images.AddRange(BigEndian(count));
        images.AddRange(BigEndian(28));
        images.AddRange(BigEndian(28));
        var labels = new List<byte>();
        labels.AddRange(BigEndian(2049));
        labels.AddRange(BigEndian(count));
        for (var i = 0; i < count; i++)
        {
            var digit = new byte[28 * 28];
            digit[14 * 28 + 14] = 255;                                                    // one lit pixel in the middle
            images.AddRange(digit);
            labels.Add((byte)(i % 10));
        }
        var imageBytes = images.Take(images.Count - truncateBy).ToArray();
        if (gzip)
        {
            using var stream = new GZipStream(File.Create(Path.Combine(_folder, "train-images-idx3-ubyte.gz")), CompressionLevel.Fastest);
            stream.Write(imageBytes);
        }
        else
        {
            File.WriteAllBytes(Path.Combine(_folder, "train-images-idx3-ubyte"), imageBytes);
        }
        File.WriteAllBytes(Path.Combine(_folder, "train-labels-idx1-ubyte"), labels.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsIdxFilesAsPaddedThreeChannelImages(bool gzip)
    {
        WriteIdx(20, gzip);
        var data = MnistDataset.Load(_folder);
        Assert.Equal(new long[] { 20, 3, 32, 32 }, data.Images.shape);
        Assert.Equal(new long[] { 0, 1, 2 }, data.Labels.data<long>().Take(3).ToArray());
        Assert.Equal(1f, data.Images[0, 1, 16, 16].item<float>());                         // 14 + the 2-px border
        Assert.Equal(-1f, data.Images[0, 1, 0, 0].item<float>());
        Assert.Equal(10, data.ClassNames.Count);
        Assert.Equal(data.Fingerprint, MnistDataset.Fingerprint(_folder));
    }

    [Fact]
    public void LoadsTheNpmPackagesJsonDigits()
    {
        var digits = Path.Combine(_folder, "package", "src", "digits");
        Directory.CreateDirectory(digits);
        for (var d = 0; d < 10; d++)
        {
            var values = Enumerable.Repeat("0", 784 * 2).ToArray();
            values[784 + 5] = "1";
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), "{\"data\":[" + string.Join(",", values) + "]}");
        }
        var data = MnistDataset.Load(_folder);
        Assert.Equal(20, data.Count);
        Assert.Equal(1f, data.Images[1, 0, 2, 7].item<float>());
        Assert.Equal(2, data.IndicesOfClass(3).Length);
        Assert.Equal(data.Fingerprint, MnistDataset.Fingerprint(_folder));
    }

    [Fact]
    public void ATruncatedIdxFileIsAOneLineError()
    {
        WriteIdx(5, gzip: false, truncateBy: 100);
        var error = Assert.Throws<DataUnavailableException>(() => MnistDataset.Load(_folder));
        Assert.Contains("truncated", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AFolderWithoutDigitsSaysHowToProvideThem()
    {
        var error = Assert.Throws<DataUnavailableException>(() => MnistDataset.Load(_folder));
        Assert.Contains("./setup.sh", error.Message);
        Assert.Contains("--data", error.Message);
        Assert.Throws<DataUnavailableException>(() => MnistDataset.Load(Path.Combine(_folder, "absent")));
    }
}
