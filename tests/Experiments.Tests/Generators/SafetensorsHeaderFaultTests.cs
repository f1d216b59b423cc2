using Steerability.Experiments.Families.BigGanDeep;
using Steerability.Experiments.ModelFiles;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Steerability.Experiments.Generators;
using Xunit;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>
/// A safetensors header that is valid JSON but not a valid header (an entry without dtype, a shape that is not a list
/// of whole numbers, ...) gives one line naming the file, the key and the field, never a stack trace.
/// </summary>
public sealed class SafetensorsHeaderFaultTests
{
    private static readonly string FixtureFolder = FixtureDirectory("biggan-deep-tiny-a");
    private static readonly string ConfigPath = Path.Combine(FixtureFolder, "config.json");

    public static TheoryData<string, string> Faults => new()
    {
        { "remove dtype", "has no dtype" },
        { "dtype number", "has no dtype" },
        { "remove shape", "'shape'" },
        { "shape string", "'shape'" },
        { "shape fraction", "'shape'" },
        { "shape negative", "negative size" },
        { "shape huge", "implausibly large" },
        { "remove data_offsets", "'data_offsets'" },
        { "entry number", "is not an object" },
        { "header array", "safetensors" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_broken_header_entry_is_one_line_naming_the_file_and_what_is_wrong(string fault, string reason)
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");
        WriteWithHeader(path, header =>
        {
            var key = header.Select(pair => pair.Key).First(k => k != "__metadata__");
            var entry = header[key]!.AsObject();
            switch (fault)
            {
                case "remove dtype": entry.Remove("dtype"); break;
                case "dtype number": entry["dtype"] = 7; break;
                case "remove shape": entry.Remove("shape"); break;
                case "shape string": entry["shape"] = "4"; break;
                case "shape fraction": entry["shape"] = new JsonArray(1.5); break;
                case "shape negative": entry["shape"] = new JsonArray(-4); break;
                case "shape huge": entry["shape"] = new JsonArray(long.MaxValue, long.MaxValue); break;
                case "remove data_offsets": entry.Remove("data_offsets"); break;
                case "entry number": header[key] = 3; break;
                case "header array": return new JsonArray(1, 2);
            }
            return header;
        });

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(reason, error.Message);
    }

    /// <summary>Copies the fixture's safetensors file with its JSON header changed by <paramref name="edit"/>.</summary>
    private static void WriteWithHeader(string path, Func<JsonObject, JsonNode> edit)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureFolder, "model.safetensors"));
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        var edited = Encoding.UTF8.GetBytes(edit(header).ToJsonString());
        using var stream = File.Create(path);
        var lengthBytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)edited.Length);
        stream.Write(lengthBytes);
        stream.Write(edited);
        stream.Write(bytes.AsSpan(8 + length));
    }
}
