using System.Text.Json.Serialization;

namespace Steerability.Experiments.Generators;

/// <summary>The shape of a class-conditional DCGAN-style generator and discriminator.</summary>
/// <param name="LatentSize">Dimension d of z.</param>
/// <param name="ClassCount">Number of classes.</param>
/// <param name="ImageSize">Output side S (a power of two, at least 8).</param>
/// <param name="Channels">Output channels.</param>
/// <param name="Width">Channels of the last hidden layer; earlier layers double it.</param>
/// <param name="ClassEmbeddingSize">Size of the learned class embedding concatenated to z.</param>
/// <param name="Upsampling">
/// How the generator doubles its resolution: "transposed" (a 4×4 transposed conv, stride 2; checkpoints from before
/// this field) or "resize" (nearest-neighbour ×2, then a 3×3 conv, which draws no checkerboard pattern).
/// </param>
/// <param name="Placement">
/// null or "none": the network's image is the output. "affine": the network draws the object in its own frame and a
/// small head of [z, class] places it with a scale, a rotation and a shift (a spatial transformer, as LR-GAN's
/// foreground placement), so the generator's spread of these attributes can follow the data's.
/// </param>
/// <param name="MaxLatentNorm">
/// null: z enters as given. A number r (at least 1): z is first shortened to norm at most r·√d, √d being the norm a
/// standard normal z has on average. Sampled latents lie far inside (in 32 dimensions, a norm above 2·√d has a chance
/// of about 2e-13), so the bound changes the generator only where a walk takes it: a linear walk z + αw may go that far
/// beyond the latents the generator was trained on, and no further. Unbounded, the far end of a linear zoom walk drew
/// broken images whose measured size said nothing about the class.
/// </param>
public sealed record DcganConfig(
    [property: JsonPropertyName("latent_size")] int LatentSize,
    [property: JsonPropertyName("class_count")] int ClassCount,
    [property: JsonPropertyName("image_size")] int ImageSize,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("class_embedding_size")] int ClassEmbeddingSize,
    [property: JsonPropertyName("upsampling")] string Upsampling = DcganConfig.TransposedUpsampling,
    // Left out of the manifest when null, so checkpoints from before this field keep their keys.
    [property: JsonPropertyName("placement"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placement = null,
    [property: JsonPropertyName("max_latent_norm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? MaxLatentNorm = null)
{
    public const string TransposedUpsampling = "transposed";
    public const string ResizeUpsampling = "resize";
    public const string NoPlacement = "none";
    public const string AffinePlacement = "affine";

    /// <summary>True when the generator places its object with a learned affine transform.</summary>
    [JsonIgnore]
    public bool PlacesObject => Placement == AffinePlacement;

    /// <summary>Number of ×2 upsampling stages from the 4×4 seed to S.</summary>
    [JsonIgnore]
    public int Stages => (int)Math.Round(Math.Log2(ImageSize / 4.0));

    /// <summary>Channels at the 4×4 seed.</summary>
    [JsonIgnore]
    public int SeedChannels => Width << (Stages - 1);

    /// <summary>Throws when the configuration cannot build a network.</summary>
    public void Validate()
    {
        if (ImageSize < 8 || (ImageSize & (ImageSize - 1)) != 0)
        {
            throw new ArgumentException($"image_size: {ImageSize} is not accepted; use a power of two of at least 8");
        }
        if (Upsampling is not (TransposedUpsampling or ResizeUpsampling))
        {
            throw new ArgumentException($"upsampling: '{Upsampling}' is not accepted; use {TransposedUpsampling} or {ResizeUpsampling}");
        }
        if (Placement is not (null or NoPlacement or AffinePlacement))
        {
            throw new ArgumentException($"placement: '{Placement}' is not accepted; use {NoPlacement} or {AffinePlacement}");
        }
        if (MaxLatentNorm is { } bound && !(bound >= 1 && double.IsFinite(bound)))
        {
            throw new ArgumentException($"max_latent_norm: {bound} is not accepted; use a finite number of at least 1 (a multiple of √latent_size), or leave it out");
        }
        if (LatentSize < 1 || ClassCount < 1 || Channels < 1 || Width < 1 || ClassEmbeddingSize < 1)
        {
            throw new ArgumentException($"DCGAN config: every size must be positive (got {this})");
        }
    }
}
