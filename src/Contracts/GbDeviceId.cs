using System.Diagnostics.CodeAnalysis;

namespace CameraNet.Contracts;

/// <summary>
/// A GB/T 28181 20-digit device ID:
/// <c>CCCCCCCC II TTT N SSSSSS</c> = centre code (province, city, district, grassroots unit),
/// industry, type, network, serial.
/// </summary>
public readonly record struct GbDeviceId
{
    public const int Length = 20;

    /// <summary>GB/T 28181 type codes 111–199 are front-end devices; 200+ are platforms and users.</summary>
    public const int FirstDeviceType = 111;
    public const int LastDeviceType = 199;

    private GbDeviceId(string value) => Value = value;

    public string Value { get; }

    /// <summary>The 8-digit centre code (digits 1–8).</summary>
    public string CentreCode => Value[..8];

    /// <summary>The 6-digit county-level division code the centre code starts with.</summary>
    public string DistrictCode => Value[..6];

    public string IndustryCode => Value.Substring(8, 2);

    public int TypeCode => int.Parse(Value.AsSpan(10, 3), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Digit 14: 0–4 video private network, 5 public-security network, 6 government, 7 Internet, 8 social resources, 9 reserved.</summary>
    public int NetworkDigit => Value[13] - '0';

    public string Serial => Value[14..];

    public static GbDeviceId Parse(string? text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? text, out GbDeviceId id) => TryParse(text, out id, out _);

    public static bool TryParse(string? text, out GbDeviceId id, [NotNullWhen(false)] out string? error) =>
        TryParse(text, out id, out error, out _);

    /// <summary>As <see cref="TryParse(string?, out GbDeviceId, out string?)"/>, also naming the broken rule
    /// (<c>id.required</c>, <c>id.length</c>, <c>id.digits</c>, <c>id.centre</c>, <c>id.type</c>, <c>id.network</c>).</summary>
    public static bool TryParse(string? text, out GbDeviceId id, [NotNullWhen(false)] out string? error, [NotNullWhen(false)] out string? rule)
    {
        rule = null;
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            rule = "id.required";
            error = "a GB/T 28181 device ID is required (20 digits)";
            return false;
        }

        if (text.Length != Length)
        {
            rule = "id.length";
            error = $"device ID '{text}' must have exactly 20 digits, not {text.Length} characters";
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                rule = "id.digits";
                error = $"device ID '{text}' must contain only digits";
                return false;
            }
        }

        if (!DivisionCode.TryParse(text[..6], out _, out var divisionError))
        {
            rule = "id.centre";
            error = $"device ID '{text}': centre code digits 1–6 are not a county-level division code ({divisionError})";
            return false;
        }

        var type = int.Parse(text.AsSpan(10, 3), System.Globalization.CultureInfo.InvariantCulture);
        if (type is < FirstDeviceType or > LastDeviceType)
        {
            rule = "id.type";
            error = $"device ID '{text}': type code (digits 11–13) is {type:000}; a front-end device must have 111–199 (e.g. 121 checkpoint, 131 camera, 132 IPC)";
            return false;
        }

        if (text[13] == '9')
        {
            rule = "id.network";
            error = $"device ID '{text}': network digit (digit 14) 9 is reserved by GB/T 28181; use 0–8";
            return false;
        }

        id = new GbDeviceId(text);
        error = null;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
