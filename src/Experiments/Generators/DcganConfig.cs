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
/// <param name="LatentNormalisation">
/// null or "none": z enters as given. "sphere": z is first rescaled to norm √d, the norm a standard normal z has on
/// average (StyleGAN normalises its input the same way). A linear walk z + αw then ends, for large α, at a point of the
/// sphere the generator was trained on, so it keeps drawing the class there and an attribute levels off where the
/// class's drawings stop, instead of breaking into images no class looks like.
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
    [property: JsonPropertyName("latent_normalisation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LatentNormalisation = null)
{
    public const string TransposedUpsampling = "transposed";
    public const string ResizeUpsampling = "resize";
    public const string NoPlacement = "none";
    public const string AffinePlacement = "affine";
    public const string NoLatentNormalisation = "none";
    public const string SphereLatentNormalisation = "sphere";

    /// <summary>True when the generator places its object with a learned affine transform.</summary>
    [JsonIgnore]
    public bool PlacesObject => Placement == AffinePlacement;

    /// <summary>True when the generator rescales z to norm √d before using it.</summary>
    [JsonIgnore]
    public bool NormalisesLatent => LatentNormalisation == SphereLatentNormalisation;

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
        if (LatentNormalisation is not (null or NoLatentNormalisation or SphereLatentNormalisation))
        {
            throw new ArgumentException($"latent_normalisation: '{LatentNormalisation}' is not accepted; use {NoLatentNormalisation} or {SphereLatentNormalisation}");
        }
        if (LatentSize < 1 || ClassCount < 1 || Channels < 1 || Width < 1 || ClassEmbeddingSize < 1)
        {
            throw new ArgumentException($"DCGAN config: every size must be positive (got {this})");
        }
    }
}
