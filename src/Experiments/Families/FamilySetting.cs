using System.Globalization;

namespace Steerability.Experiments.Families;

/// <summary>
/// A setting a generator family accepts: given on the command line as `--NAME VALUE` and in a sweep spec as
/// `NAME: VALUE` under the model (multi-word names with `_` in specs). The family alone says what it means.
/// </summary>
/// <param name="Name">The flag's name without dashes (`weights`, `latent-size`).</param>
/// <param name="ValueName">What the value is, for help (`DIR`, `FILE`, `T`).</param>
/// <param name="Help">One line for help texts.</param>
/// <param name="InSweeps">True when a sweep spec may give it (a command-only setting such as `checkpoint` is not).</param>
public sealed record FamilySetting(string Name, string ValueName, string Help, bool InSweeps = true)
{
    public string Flag => "--" + Name;

    public string SpecKey => Name.Replace('-', '_');

    /// <summary>True when the value names a file or folder (a spec's relative path is taken from the spec's folder).</summary>
    public bool IsPath => ValueName is "DIR" or "FILE" or "PATH";
}

/// <summary>A family setting's value is not accepted; the caller names where it came from (a flag or a spec key).</summary>
public sealed class FamilySettingException(string setting, string message) : Exception(message)
{
    /// <summary>The setting's <see cref="FamilySetting.Name"/>.</summary>
    public string Setting { get; } = setting;
}

/// <summary>
/// The values given for a family's settings, by setting name, as text (from flags or a spec); a setting not given
/// takes the family's default. Sorted, so equal values give equal trial keys.
/// </summary>
public sealed record FamilyValues
{
    public FamilyValues(IEnumerable<KeyValuePair<string, string>> given)
    {
        Given = new SortedDictionary<string, string>(given.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
    }

    public static FamilyValues None { get; } = new([]);

    public IReadOnlyDictionary<string, string> Given { get; }

    /// <summary>The text of a setting, or null when it was not given.</summary>
    public string? Text(string name) => Given.GetValueOrDefault(name);

    /// <summary>The setting as a number, or <paramref name="fallback"/> when not given.</summary>
    public double Number(string name, double fallback)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FamilySettingException(name, $"'{text}' is not a number");
    }

    /// <summary>The setting as a whole number, or null when not given.</summary>
    public int? WholeNumber(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FamilySettingException(name, $"'{text}' is not a whole number");
    }

    /// <summary>These values without one setting.</summary>
    public FamilyValues Without(string name) => new(Given.Where(p => p.Key != name));

    /// <summary>These values with one setting replaced (or added).</summary>
    public FamilyValues With(string name, string value) =>
        new(Given.Where(p => p.Key != name).Append(new KeyValuePair<string, string>(name, value)));

    public bool Equals(FamilyValues? other) => other is not null && Given.SequenceEqual(other.Given);

    public override int GetHashCode() => Given.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value));
}
