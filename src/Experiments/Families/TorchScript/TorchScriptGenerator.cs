using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.ModelFiles;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.TorchScript;

/// <summary>How a TorchScript generator takes its class: as indices [N] (int64) or one-hot vectors [N, K] (float32).</summary>
public enum TorchScriptClassInput
{
    /// <summary>forward(z, class_index [N] int64).</summary>
    Index,

    /// <summary>forward(z, one_hot [N, K] float32).</summary>
    OneHot,
}

/// <summary>What a TorchScript generator file cannot tell about itself: sizes, output range and class input.</summary>
public sealed record TorchScriptGeneratorDescription
{
    /// <summary>Name of the description file looked for beside a model when none is given.</summary>
    public const string DefaultFileName = "generator.json";

    /// <summary>Dimension of z.</summary>
    [JsonPropertyName("latent_size")]
    public required int LatentSize { get; init; }

    /// <summary>Number of classes; 0 for forward(z) alone.</summary>
    [JsonPropertyName("class_count")]
    public int ClassCount { get; init; }

    /// <summary>Side of the square output images.</summary>
    [JsonPropertyName("image_size")]
    public required int ImageSize { get; init; }

    /// <summary>Output channels.</summary>
    [JsonPropertyName("channels")]
    public int Channels { get; init; } = 3;

    /// <summary>"[-1,1]" or "[0,1]": the range the module's output lies in.</summary>
    [JsonPropertyName("output_range")]
    public string OutputRange { get; init; } = "[-1,1]";

    /// <summary>"index" or "onehot".</summary>
    [JsonPropertyName("class_input")]
    public string ClassInput { get; init; } = "index";

    /// <summary>Name used in results; the model file's name when absent.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>True when the module outputs [0, 1] and must be mapped to [-1, 1].</summary>
    public bool OutputsUnitRange => NormalizeRange(OutputRange) == "[0,1]";

    /// <summary>The parsed class input.</summary>
    public TorchScriptClassInput ParsedClassInput => ClassInput.Trim().ToLowerInvariant() switch
    {
        "index" => TorchScriptClassInput.Index,
        "onehot" or "one_hot" or "one-hot" => TorchScriptClassInput.OneHot,
        _ => throw new FormatException($"class_input '{ClassInput}' is not 'index' or 'onehot'"),
    };

    /// <summary>Reads and checks a description file; problems give a one-line <see cref="ModelFileException"/>.</summary>
    public static TorchScriptGeneratorDescription FromJsonFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "file not found");
        }
        try
        {
            var description = JsonSerializer.Deserialize<TorchScriptGeneratorDescription>(File.ReadAllText(path))
                ?? throw new JsonException("empty document");
            description.Validate();
            return description;
        }
        catch (Exception error) when (error is JsonException or FormatException)
        {
            throw new ModelFileException(path, $"bad generator description ({error.Message})", error);
        }
    }

    /// <summary>Throws <see cref="FormatException"/> when a field is out of range.</summary>
    public void Validate()
    {
        if (LatentSize <= 0 || ImageSize <= 0 || Channels <= 0 || ClassCount < 0)
        {
            throw new FormatException("latent_size, image_size and channels must be positive and class_count not negative");
        }
        if (NormalizeRange(OutputRange) is not ("[-1,1]" or "[0,1]"))
        {
            throw new FormatException($"output_range '{OutputRange}' is not \"[-1,1]\" or \"[0,1]\"");
        }
        _ = ParsedClassInput;
    }

    private static string NormalizeRange(string range) => range.Replace(" ", "", StringComparison.Ordinal);
}

/// <summary>
/// Any TorchScript generator (a `torch.jit.save`/`trace` file) as a frozen <see cref="IImageGenerator"/>: forward(z) or
/// forward(z, class), output mapped to [-1, 1], weights without gradients, gradients flowing to z.
/// </summary>
public sealed class TorchScriptGenerator : IImageGenerator
{
    private readonly jit.ScriptModule _module;
    private readonly TorchScriptGeneratorDescription _description;
    private readonly TorchScriptClassInput _classInput;

    /// <summary>
    /// Loads <paramref name="modelPath"/> described by <paramref name="description"/>, or, when null, by the JSON file
    /// beside it: MODEL.json (the model's name without extension) if present, else generator.json.
    /// </summary>
    public TorchScriptGenerator(string modelPath, TorchScriptGeneratorDescription? description = null, Device? device = null)
    {
        _description = description ?? TorchScriptGeneratorDescription.FromJsonFile(FindDescription(modelPath));
        try
        {
            _description.Validate();
        }
        catch (FormatException error)
        {
            throw new ModelFileException(modelPath, $"bad generator description ({error.Message})", error);
        }
        _classInput = _description.ParsedClassInput;
        Device = device ?? torch.CPU;
        if (!File.Exists(modelPath))
        {
            throw new ModelFileException(modelPath, "file not found");
        }
        try
        {
            _module = torch.jit.load(modelPath, Device);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // TorchScript files are zip archives: a zip header means damaged or cut short, anything else the wrong format.
            var reason = StartsLikeZip(modelPath)
                ? "truncated or damaged TorchScript archive"
                : "not a TorchScript file (expected a torch.jit.save zip archive)";
            throw new ModelFileException(modelPath, $"{reason}: {ModelFileException.OneLine(error.Message)}", error);
        }
        foreach (var parameter in _module.parameters())
        {
            parameter.requires_grad = false;
        }
        // Eval so batch norms use their running statistics and dropout is off.
        _module.eval();
        Name = _description.Name ?? Path.GetFileNameWithoutExtension(modelPath);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int LatentSize => _description.LatentSize;

    /// <inheritdoc />
    public int ClassCount => _description.ClassCount;

    /// <inheritdoc />
    public int ImageSize => _description.ImageSize;

    /// <inheritdoc />
    public int Channels => _description.Channels;

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>The loaded module (e.g. to inspect its parameters).</summary>
    public jit.ScriptModule Module => _module;

    /// <summary>The description in use.</summary>
    public TorchScriptGeneratorDescription Description => _description;

    /// <inheritdoc />
    /// <remarks>Standard normal latents: TorchScript files carry no sampling rule, and most GANs use N(0, I).</remarks>
    public Tensor SampleLatents(int count, torch.Generator random)
    {
        using var scope = torch.NewDisposeScope();
        return torch.randn([count, LatentSize], generator: random, device: random.device).to(Device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Generate(Tensor latents, Tensor classIndices)
    {
        using var scope = torch.NewDisposeScope();
        var z = latents.to(Device);                                               // [N, d]
        object output = ClassCount == 0
            ? _module.call(z)
            : _module.call(z, ClassArgument(classIndices));
        if (output is not Tensor images)
        {
            throw new InvalidOperationException($"TorchScript generator '{Name}' returned {output?.GetType().Name ?? "nothing"}, not a tensor");
        }
        var expected = new long[] { latents.shape[0], Channels, ImageSize, ImageSize };
        if (!images.shape.SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"TorchScript generator '{Name}' gave images [{string.Join(", ", images.shape)}], its description says [{string.Join(", ", expected)}]");
        }
        // [0, 1] → [-1, 1] so every generator hands walks the same range.
        var scaled = _description.OutputsUnitRange ? images * 2 - 1 : images;    // [N, C, S, S]
        return scaled.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _module.Dispose();

    /// <summary>class indices [N] → what the module expects: int64 indices [N] or float32 one-hot [N, K].</summary>
    private Tensor ClassArgument(Tensor classIndices)
    {
        var indices = classIndices.to(ScalarType.Int64).to(Device);               // [N]
        return _classInput == TorchScriptClassInput.Index
            ? indices
            : nn.functional.one_hot(indices, ClassCount).to(ScalarType.Float32);  // [N, K]
    }

    private static bool StartsLikeZip(string path)
    {
        var head = new byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head is [(byte)'P', (byte)'K', 3, 4];
    }

    private static string FindDescription(string modelPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        var besideModel = Path.Combine(directory, Path.GetFileNameWithoutExtension(modelPath) + ".json");
        return File.Exists(besideModel) ? besideModel : Path.Combine(directory, TorchScriptGeneratorDescription.DefaultFileName);
    }
}
