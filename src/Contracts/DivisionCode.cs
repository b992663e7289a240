using System.Diagnostics.CodeAnalysis;

namespace CameraNet.Contracts;

/// <summary>Level of an administrative division in CameraNet's register.</summary>
public enum DivisionLevel
{
    /// <summary>County-level unit (区/县/市), 6-digit GB/T 2260 code, e.g. 120101.</summary>
    District = 1,

    /// <summary>Township-level unit (街道/镇/乡/other), 9-digit NBS statistical code, e.g. 120101001.</summary>
    Township = 2,
}

/// <summary>
/// A district (6 digits, GB/T 2260) or township (9 digits, district code + 3) code.
/// Kept as text: leading zeros matter and the value is never used for arithmetic.
/// </summary>
public readonly record struct DivisionCode
{
    private DivisionCode(string value) => Value = value;

    public string Value { get; }

    public DivisionLevel Level => Value.Length == 6 ? DivisionLevel.District : DivisionLevel.Township;

    /// <summary>The 6-digit district code this code belongs to (itself for a district).</summary>
    public DivisionCode District => Level == DivisionLevel.District ? this : new DivisionCode(Value[..6]);

    public static DivisionCode Parse(string? text) =>
        TryParse(text, out var code, out var error) ? code : throw new FormatException(error);

    public static bool TryParse(string? text, out DivisionCode code) => TryParse(text, out code, out _);

    public static bool TryParse(string? text, out DivisionCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "a division code is required (6 digits for a district, 9 for a township)";
            return false;
        }

        if (text.Length is not (6 or 9))
        {
            error = $"division code '{text}' must have 6 digits (district) or 9 digits (township), not {text.Length} characters";
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                error = $"division code '{text}' must contain only digits";
                return false;
            }
        }

        // GB/T 2260: the first two digits name a province-level unit (11..65, 71, 81, 82); 00 is never valid.
        if (text[0] == '0' || text.AsSpan(2, 4).SequenceEqual("0000"))
        {
            error = $"division code '{text}' is not a county-level code (province part must be non-zero and the county part must not be 0000)";
            return false;
        }

        code = new DivisionCode(text);
        error = null;
        return true;
    }

    public bool Contains(DivisionCode other) =>
        Level == DivisionLevel.District ? other.Value.StartsWith(Value, StringComparison.Ordinal) : other.Value == Value;

    public override string ToString() => Value ?? string.Empty;
}
