using CameraNet.Contracts;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CameraNet.Contracts.Tests;

public sealed class PlateGrammarTests
{
    [Theory]
    [InlineData("津A12345", PlateShape.Standard)]
    [InlineData("京BK7J22", PlateShape.Standard)]
    [InlineData("粤Z1234港", PlateShape.Special)]
    [InlineData("津A1234学", PlateShape.Special)]
    [InlineData("沪AD12345", PlateShape.NewEnergy)]
    [InlineData("沪AFK1234", PlateShape.NewEnergy)]
    [InlineData("苏E12345F", PlateShape.NewEnergy)]
    public void Real_plate_shapes_are_valid(string plate, PlateShape shape)
    {
        PlateGrammar.TryValidate(plate, out var actual, out var error).ShouldBeTrue(error);
        actual.ShouldBe(shape);
    }

    [Theory]
    [InlineData("津A1234", "has 6 characters; a plate has 7")]
    [InlineData("A津12345", "province")]
    [InlineData("港A12345", "province")]
    [InlineData("津112345", "character 2")]
    [InlineData("津I12345", "character 2")]
    [InlineData("津A1O345", "character 4")]
    [InlineData("津A1234警2", "new-energy")]
    [InlineData("沪AX12345", "new-energy")]
    [InlineData("沪AD1234A", "new-energy")]
    [InlineData("津A123学4", "character 6")]
    public void Impossible_plates_are_refused_with_the_rule_they_break(string plate, string rule)
    {
        PlateGrammar.TryValidate(plate, out _, out var error).ShouldBeFalse();
        error.ShouldContain(rule);
    }

    [Fact]
    public void There_are_31_provinces_and_24_letters() =>
        (PlateGrammar.Provinces.Length, PlateGrammar.Letters.Length).ShouldBe((31, 24));

    [Property(MaxTest = 500)]
    public Property Every_valid_plate_starts_with_a_province_and_has_7_or_8_characters(NonEmptyString text)
    {
        var s = text.Get;
        return (!PlateGrammar.IsValid(s) || (PlateGrammar.IsProvince(s[0]) && s.Length is 7 or 8)).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Standard_plates_built_from_the_alphabet_are_valid(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var chars = new char[7];
        chars[0] = PlateGrammar.Provinces[random.Next(31)];
        chars[1] = PlateGrammar.Letters[random.Next(24)];
        for (var i = 2; i < 7; i++)
        {
            chars[i] = PlateGrammar.SerialCharacters[random.Next(PlateGrammar.SerialCharacters.Length)];
        }

        return PlateGrammar.IsValid(new string(chars)).ToProperty();
    }
}
