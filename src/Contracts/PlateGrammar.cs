using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace CameraNet.Contracts;

/// <summary>Background colour of a Chinese licence plate (GA 36).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<PlateColour>))]
public enum PlateColour
{
    Unknown,

    /// <summary>Small vehicles: white characters on blue, 7 characters.</summary>
    Blue,

    /// <summary>Large vehicles, coaches (学), trailers (挂): black on yellow, 7 characters.</summary>
    Yellow,

    /// <summary>New-energy vehicles: black on green (small: gradient; large: yellow-green), 8 characters.</summary>
    Green,

    /// <summary>Police (警) and armed police: black/red on white.</summary>
    White,

    /// <summary>Foreign-related, Hong Kong/Macau (港/澳), embassy (使) and consulate (领): white on black.</summary>
    Black,
}

/// <summary>
/// The grammar of Chinese civilian plate numbers (GA 36-2018):
/// province abbreviation, issuing-authority letter, then either 5 alphanumerics (no I/O),
/// 4 alphanumerics and a special suffix (学 警 挂 港 澳 使 领 试 超), or for new-energy plates
/// 6 characters following the D/F rules (small: D|F then 5; large: 5 digits then D|F).
/// </summary>
public static class PlateGrammar
{
    /// <summary>The 31 province-level abbreviations, in GB/T 2260 order.</summary>
    public const string Provinces = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";

    /// <summary>Letters allowed after the province: A–Z without I and O (they read as 1 and 0).</summary>
    public const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

    public const string Digits = "0123456789";

    /// <summary>Serial characters: letters without I/O, and digits.</summary>
    public const string SerialCharacters = Letters + Digits;

    /// <summary>Suffixes that replace the last serial character on special plates.</summary>
    public const string SpecialSuffixes = "学警挂港澳使领试超";

    public static bool IsProvince(char c) => Provinces.Contains(c, StringComparison.Ordinal);

    public static bool IsValid(string? plate) => TryValidate(plate, out _, out _);

    /// <summary>Checks a plate number and says which colour family its shape implies.</summary>
    public static bool TryValidate(string? plate, out PlateShape shape, [NotNullWhen(false)] out string? error)
    {
        shape = PlateShape.Standard;
        if (string.IsNullOrEmpty(plate))
        {
            error = "plate number is empty";
            return false;
        }

        if (plate.Length is not (7 or 8))
        {
            error = $"plate '{plate}' has {plate.Length} characters; a plate has 7 (8 for new-energy)";
            return false;
        }

        if (!IsProvince(plate[0]))
        {
            error = $"plate '{plate}' must start with one of the 31 province abbreviations, not '{plate[0]}'";
            return false;
        }

        if (!Letters.Contains(plate[1], StringComparison.Ordinal))
        {
            error = $"plate '{plate}': character 2 must be a letter A–Z other than I and O, not '{plate[1]}'";
            return false;
        }

        if (plate.Length == 8)
        {
            shape = PlateShape.NewEnergy;
            return TryValidateNewEnergy(plate, out error);
        }

        for (var i = 2; i < 6; i++)
        {
            if (!SerialCharacters.Contains(plate[i], StringComparison.Ordinal))
            {
                error = $"plate '{plate}': character {i + 1} must be a digit or a letter other than I and O, not '{plate[i]}'";
                return false;
            }
        }

        var last = plate[6];
        if (SpecialSuffixes.Contains(last, StringComparison.Ordinal))
        {
            shape = PlateShape.Special;
        }
        else if (!SerialCharacters.Contains(last, StringComparison.Ordinal))
        {
            error = $"plate '{plate}': character 7 must be a digit, a letter other than I and O, or one of {SpecialSuffixes}, not '{last}'";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryValidateNewEnergy(string plate, [NotNullWhen(false)] out string? error)
    {
        // Small new-energy vehicles: D (battery) or F (other) first, then a letter or digit, then 4 digits.
        // Large new-energy vehicles: 5 digits, then D or F.
        var serial = plate.AsSpan(2);
        var small = serial[0] is 'D' or 'F'
            && SerialCharacters.Contains(serial[1])
            && AllDigits(serial[2..]);
        var large = AllDigits(serial[..5]) && serial[5] is 'D' or 'F';
        if (small || large)
        {
            error = null;
            return true;
        }

        error = $"new-energy plate '{plate}' must be D|F + letter/digit + 4 digits (small vehicle) or 5 digits + D|F (large vehicle)";
        return false;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The shape of a valid plate number.</summary>
public enum PlateShape
{
    /// <summary>Province, letter, 5 alphanumerics.</summary>
    Standard,

    /// <summary>Province, letter, 4 alphanumerics, special suffix (学 警 挂 港 澳 使 领 试 超).</summary>
    Special,

    /// <summary>8 characters, green new-energy plate.</summary>
    NewEnergy,
}
