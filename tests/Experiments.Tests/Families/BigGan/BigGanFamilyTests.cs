using Steerability.Experiments.Families;
using Steerability.Experiments.Runtime;

namespace Steerability.Experiments.Tests.Families.BigGan;

/// <summary>The `biggan` family: its settings checked before any work, its classes and size read from the weights.</summary>
public sealed class BigGanFamilyTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", "biggan-tiny-a", file);

    private static readonly SteerPaths Paths = new("unused");

    [Fact]
    public void Describes_the_fixture_from_its_weights_with_settings_resolved()
    {
        var family = GeneratorFamilies.Get("biggan");
        var description = GeneratorFamilies.Describe(family, new FamilyValues([new("weights", Fixture("G_ema.pth"))]), Paths);
        Assert.Equal(10, description.ClassNames.Count);
        Assert.Equal(64, description.ImageSize);
        Assert.Equal(Path.GetFullPath(Fixture("G_ema.pth")), description.Resolved.Text("weights"));
        Assert.Equal("1", description.Resolved.Text("truncation"));
    }

    [Theory]
    [InlineData("truncation", "0", "truncation")]
    [InlineData("truncation", "x", "truncation")]
    [InlineData("data", "somewhere", "data")]
    public void Refuses_a_bad_or_foreign_setting_naming_it(string setting, string value, string named)
    {
        var family = GeneratorFamilies.Get("biggan");
        var values = new FamilyValues([new("weights", Fixture("G_ema.pth")), new(setting, value)]);
        var error = Assert.Throws<FamilySettingException>(() => GeneratorFamilies.Describe(family, values, Paths));
        Assert.Equal(named, error.Setting);
    }

    [Fact]
    public void Refuses_missing_weights_and_a_file_that_is_not_a_state_dict()
    {
        var family = GeneratorFamilies.Get("biggan");
        Assert.Equal("weights", Assert.Throws<FamilySettingException>(() => GeneratorFamilies.Describe(family, FamilyValues.None, Paths)).Setting);
        var error = Assert.Throws<FamilySettingException>(() =>
            GeneratorFamilies.Describe(family, new FamilyValues([new("weights", Fixture("config.json"))]), Paths));
        Assert.Equal("weights", error.Setting);
        Assert.DoesNotContain('\n', error.Message);
    }
}
