using Steerability.Experiments.Generators;
namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>The per-layer noise input of the synthesis layers (NVIDIA's noise_mode, without 'random': walks need a deterministic G).</summary>
public enum NoiseMode
{
    /// <summary>noise_const · noise_strength, the stored noise image (generate.py's default 'const').</summary>
    Const,

    /// <summary>No noise added ('none').</summary>
    None,
}
