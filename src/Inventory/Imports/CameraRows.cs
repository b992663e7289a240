using System.Globalization;
using CameraNet.Contracts;
using CameraNet.Inventory.Cameras;

namespace CameraNet.Inventory.Imports;

/// <summary>One row of an import file as read, before validation; <see cref="Errors"/> holds what could not even be read (null: nothing).</summary>
public sealed record CameraRow(long Row, long Line, CameraRegistration Registration, FieldErrors? Errors)
{
    /// <summary>The read errors (if any) moved out of a reader's scratch list, which is then ready for the next row.</summary>
    public static FieldErrors? Take(FieldErrors scratch)
    {
        if (scratch.Count == 0)
        {
            return null;
        }

        var errors = new FieldErrors();
        errors.AddRange(scratch);
        scratch.Clear();
        return errors;
    }
}

/// <summary>A problem with the file as a whole (not one row): wrong columns, not a FeatureCollection, broken JSON.</summary>
public sealed class ImportFormatException(string message) : Exception(message);

/// <summary>
/// Field names shared by CSV columns and GeoJSON properties (the JSON API's names), and turning their
/// text into a registration with a named error for every value that is not of the right type.
/// </summary>
public static class CameraFields
{
    /// <summary>Required fields first; the order is the slot order <see cref="Parse"/> reads.</summary>
    public static readonly string[] Required =
        ["id", "name", "kind", "districtCode", "longitude", "latitude", "azimuth", "fieldOfView", "range", "mainStreamUrl", "decodeMode"];

    public static readonly string[] Optional =
        ["townshipCode", "subStreamUrl", "analysisFps", "installDate", "ownerUnit", "username", "password"];

    public static readonly string[] All = [.. Required, .. Optional];

    /// <summary>Position of each field in <see cref="All"/> (and in the values a reader collects).</summary>
    public static int Slot(string field) => Array.IndexOf(All, field);

    /// <summary>Slots of the fields that hold numbers.</summary>
    public static bool IsNumber(int slot) => slot is 4 or 5 or 6 or 7 or 8 or 13;

    /// <summary>
    /// Builds a registration from values indexed by <see cref="Slot"/>: text in <paramref name="v"/>
    /// (null = absent or empty), numbers already parsed in <paramref name="numbers"/> when given.
    /// </summary>
    public static CameraRegistration Parse(string?[] v, FieldErrors errors, double?[]? numbers = null)
    {
        double? Number(int slot, string field) => numbers is null ? ParseNumber(v[slot], field, errors) : numbers[slot];
        return new CameraRegistration
        {
            Id = v[0],
            Name = v[1],
            Kind = ParseKind(v[2], errors),
            DistrictCode = v[3],
            Longitude = Number(4, "longitude"),
            Latitude = Number(5, "latitude"),
            Azimuth = Number(6, "azimuth"),
            FieldOfView = Number(7, "fieldOfView"),
            Range = Number(8, "range"),
            MainStreamUrl = v[9],
            DecodeMode = ParseMode(v[10], errors),
            TownshipCode = v[11],
            SubStreamUrl = v[12],
            AnalysisFps = Number(13, "analysisFps"),
            InstallDate = ParseDate(v[14], errors),
            OwnerUnit = v[15],
            Username = v[16],
            Password = v[17],
        };
    }

    private static CameraKind? ParseKind(string? text, FieldErrors errors)
    {
        foreach (var kind in Kinds)
        {
            if (string.Equals(text, kind.Name, StringComparison.OrdinalIgnoreCase))
            {
                return kind.Value;
            }
        }

        return text is null ? null : Invalid<CameraKind>(text, "kind", errors);
    }

    private static DecodeMode? ParseMode(string? text, FieldErrors errors) =>
        string.Equals(text, "keyframe", StringComparison.OrdinalIgnoreCase) ? DecodeMode.Keyframe
        : string.Equals(text, "full", StringComparison.OrdinalIgnoreCase) ? DecodeMode.Full
        : text is null ? null : Invalid<DecodeMode>(text, "decodeMode", errors);

    private static readonly (string Name, CameraKind Value)[] Kinds =
        [.. Enum.GetValues<CameraKind>().Select(k => (char.ToLowerInvariant(k.ToString()[0]) + k.ToString()[1..], k))];

    private static T? Invalid<T>(string text, string field, FieldErrors errors) where T : struct, Enum
    {
        var names = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        errors.Add(field, field + ".invalid", $"{field} '{Shorten(text)}' is not one of {names}");
        return null;
    }

    /// <summary>A number straight from UTF-8 bytes (CSV), without making a string unless it is wrong.</summary>
    public static double? ParseNumber(ReadOnlySpan<byte> utf8, string field, FieldErrors errors)
    {
        if (utf8.IsEmpty)
        {
            return null;
        }

        return double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : ParseNumber(System.Text.Encoding.UTF8.GetString(utf8).Trim(), field, errors);
    }

    public static double? ParseNumber(string? text, string field, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add(field, field + ".format", $"{field} '{Shorten(text)}' is not a number");
        return null;
    }

    private static DateOnly? ParseDate(string? text, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        // yyyy-MM-dd by hand: the general date parser was a measurable share of a million-row import.
        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }

        errors.Add("installDate", "installDate.format", $"installDate '{Shorten(text)}' is not a date (yyyy-MM-dd)");
        return null;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
