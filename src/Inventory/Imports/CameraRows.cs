using System.Globalization;
using CameraNet.Contracts;
using CameraNet.Inventory.Cameras;

namespace CameraNet.Inventory.Imports;

/// <summary>One row of an import file as read, before validation; <see cref="Errors"/> holds what could not even be read.</summary>
public sealed record CameraRow(long Row, long Line, CameraRegistration Registration, FieldErrors Errors);

/// <summary>A problem with the file as a whole (not one row): wrong columns, not a FeatureCollection, broken JSON.</summary>
public sealed class ImportFormatException(string message) : Exception(message);

/// <summary>
/// Field names shared by CSV columns and GeoJSON properties (the JSON API's names), and turning their
/// text into a registration with a named error for every value that is not of the right type.
/// </summary>
public static class CameraFields
{
    public static readonly string[] Required =
        ["id", "name", "kind", "districtCode", "longitude", "latitude", "azimuth", "fieldOfView", "range", "mainStreamUrl", "decodeMode"];

    public static readonly string[] Optional =
        ["townshipCode", "subStreamUrl", "analysisFps", "installDate", "ownerUnit", "username", "password"];

    public static readonly string[] All = [.. Required, .. Optional];

    /// <summary>Builds a registration from text values by field name (null = absent or empty).</summary>
    public static CameraRegistration Parse(Func<string, string?> value, FieldErrors errors) => new()
    {
        Id = value("id"),
        Name = value("name"),
        Kind = ParseEnum<CameraKind>(value("kind"), "kind", errors),
        DistrictCode = value("districtCode"),
        TownshipCode = value("townshipCode"),
        Longitude = ParseNumber(value("longitude"), "longitude", errors),
        Latitude = ParseNumber(value("latitude"), "latitude", errors),
        Azimuth = ParseNumber(value("azimuth"), "azimuth", errors),
        FieldOfView = ParseNumber(value("fieldOfView"), "fieldOfView", errors),
        Range = ParseNumber(value("range"), "range", errors),
        MainStreamUrl = value("mainStreamUrl"),
        SubStreamUrl = value("subStreamUrl"),
        DecodeMode = ParseEnum<DecodeMode>(value("decodeMode"), "decodeMode", errors),
        AnalysisFps = ParseNumber(value("analysisFps"), "analysisFps", errors),
        InstallDate = ParseDate(value("installDate"), errors),
        OwnerUnit = value("ownerUnit"),
        Username = value("username"),
        Password = value("password"),
    };

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

    private static T? ParseEnum<T>(string? text, string field, FieldErrors errors) where T : struct, Enum
    {
        if (text is null)
        {
            return null;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _))
        {
            return value;
        }

        var names = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        errors.Add(field, field + ".invalid", $"{field} '{Shorten(text)}' is not one of {names}");
        return null;
    }

    private static DateOnly? ParseDate(string? text, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add("installDate", "installDate.format", $"installDate '{Shorten(text)}' is not a date (yyyy-MM-dd)");
        return null;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
