using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>Fixture locations, error measures and a tiny safetensors writer shared by the generator tests.</summary>
internal static class GeneratorTestSupport
{
    /// <summary>The copied fixture folder <paramref name="name"/> (tests/fixtures/NAME, copied beside the test assembly).</summary>
    public static string FixtureDirectory(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "fixtures", name);
        return Directory.Exists(directory)
            ? directory
            : throw new DirectoryNotFoundException($"fixture folder '{directory}' missing: is tests/fixtures copied to the output?");
    }

    /// <summary>‖actual − expected‖ / ‖expected‖.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        var difference = (actual.detach().cpu().to(ScalarType.Float64) - expected.cpu().to(ScalarType.Float64)).norm();
        return difference.item<double>() / expected.cpu().to(ScalarType.Float64).norm().item<double>();
    }

    /// <summary>Writes <paramref name="tensors"/> (float32 or int64, CPU) as a safetensors file.</summary>
    public static void WriteSafetensors(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new Dictionary<string, object>();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var bytes = tensor.contiguous().cpu().bytes.ToArray();
            var dtype = tensor.dtype switch
            {
                ScalarType.Float32 => "F32",
                ScalarType.Int64 => "I64",
                _ => throw new ArgumentException($"dtype {tensor.dtype} not supported by the test writer"),
            };
            header[name] = new { dtype, shape = tensor.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var headerBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var stream = File.Create(path);
        var lengthBytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerBytes.Length);
        stream.Write(lengthBytes);
        stream.Write(headerBytes);
        foreach (var blob in blobs)
        {
            stream.Write(blob);
        }
    }

    /// <summary>A fresh temporary folder, deleted by the returned handle.</summary>
    public static TemporaryDirectory CreateTemporaryDirectory() => new();

    /// <summary>A temporary folder that deletes itself.</summary>
    public sealed class TemporaryDirectory : IDisposable
    {
        public TemporaryDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "steer-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
