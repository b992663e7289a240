using CameraNet.Contracts;

namespace CameraNet.Inventory.Cameras;

/// <summary>A registration that passed the field rules, normalised (azimuth in [0, 360), trimmed text).</summary>
public sealed record ValidCamera(
    GbDeviceId Id,
    string Name,
    CameraKind Kind,
    DivisionCode District,
    DivisionCode? Township,
    double Longitude,
    double Latitude,
    double Azimuth,
    double FieldOfView,
    double Range,
    string MainStreamUrl,
    string? SubStreamUrl,
    DecodeMode DecodeMode,
    double? AnalysisFps,
    DateOnly? InstallDate,
    string? OwnerUnit);

/// <summary>
/// The field rules of a camera registration that need no database. Each broken rule is reported
/// against its field (camelCase, as in the JSON), so clients can show it next to the input.
/// </summary>
public static class CameraValidator
{
    public const double MaxRangeMetres = 3000;
    public const double MaxAnalysisFps = 60;

    public static ValidCamera? Validate(CameraRegistration r, Dictionary<string, List<string>> errors, DateOnly today)
    {
        GbDeviceId id = default;
        if (!GbDeviceId.TryParse(r.Id?.Trim(), out id, out var idError))
        {
            Add(errors, "id", idError);
        }

        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            Add(errors, "name", "name is required");
        }
        else if (name.Length > 200)
        {
            Add(errors, "name", $"name has {name.Length} characters; at most 200 are allowed");
        }

        if (r.Kind is null)
        {
            Add(errors, "kind", "kind is required: monitoringClass1, monitoringClass2, monitoringClass3, checkpoint or ptz");
        }

        DivisionCode district = default;
        if (!DivisionCode.TryParse(r.DistrictCode?.Trim(), out district, out var districtError))
        {
            Add(errors, "districtCode", districtError);
        }
        else if (district.Level != DivisionLevel.District)
        {
            Add(errors, "districtCode", $"'{district}' is a township code; districtCode needs the 6-digit district code");
        }

        DivisionCode? township = null;
        if (!string.IsNullOrWhiteSpace(r.TownshipCode))
        {
            if (!DivisionCode.TryParse(r.TownshipCode.Trim(), out var t, out var townshipError))
            {
                Add(errors, "townshipCode", townshipError);
            }
            else if (t.Level != DivisionLevel.Township)
            {
                Add(errors, "townshipCode", $"'{t}' is a district code; townshipCode needs a 9-digit township code (or leave it out to derive it from the location)");
            }
            else if (district.Value is not null && district.Level == DivisionLevel.District && !district.Contains(t))
            {
                Add(errors, "townshipCode", $"township {t} is not in district {district}");
            }
            else
            {
                township = t;
            }
        }

        if (r.Longitude is not { } lon)
        {
            Add(errors, "longitude", "longitude is required (WGS-84 degrees)");
        }
        else if (!double.IsFinite(lon) || lon is < -180 or > 180)
        {
            Add(errors, "longitude", $"longitude {lon} is outside -180..180");
        }

        if (r.Latitude is not { } lat)
        {
            Add(errors, "latitude", "latitude is required (WGS-84 degrees)");
        }
        else if (!double.IsFinite(lat) || lat is < -90 or > 90)
        {
            Add(errors, "latitude", $"latitude {lat} is outside -90..90");
        }

        if (r.Azimuth is not { } azimuth)
        {
            Add(errors, "azimuth", "azimuth is required (degrees clockwise from north, 0–360)");
        }
        else if (!double.IsFinite(azimuth) || azimuth is < 0 or > 360)
        {
            Add(errors, "azimuth", $"azimuth {azimuth} is outside 0–360 degrees");
        }

        if (r.FieldOfView is not { } fov)
        {
            Add(errors, "fieldOfView", "fieldOfView is required (degrees, 1–360)");
        }
        else if (!double.IsFinite(fov) || fov is < 1 or > 360)
        {
            Add(errors, "fieldOfView", $"fieldOfView {fov} is outside 1–360 degrees");
        }

        if (r.Range is not { } range)
        {
            Add(errors, "range", "range is required (metres)");
        }
        else if (!double.IsFinite(range) || range <= 0)
        {
            Add(errors, "range", $"range {range} must be greater than 0 metres");
        }
        else if (range > MaxRangeMetres)
        {
            Add(errors, "range", $"range {range} m is not plausible for a camera; at most {MaxRangeMetres} m");
        }

        var main = CheckStreamUrl(r.MainStreamUrl, "mainStreamUrl", required: true, errors);
        var sub = CheckStreamUrl(r.SubStreamUrl, "subStreamUrl", required: false, errors);

        if (r.DecodeMode is null)
        {
            Add(errors, "decodeMode", "decodeMode is required: keyframe (sample + health) or full (every frame, plate reading)");
        }

        if (r.AnalysisFps is { } fps)
        {
            if (!double.IsFinite(fps) || fps <= 0 || fps > MaxAnalysisFps)
            {
                Add(errors, "analysisFps", $"analysisFps {fps} must be greater than 0 and at most {MaxAnalysisFps}");
            }
            else if (r.DecodeMode == DecodeMode.Keyframe)
            {
                Add(errors, "analysisFps", "analysisFps applies only to decodeMode full; keyframe mode decodes one frame per GOP");
            }
        }

        if (r.InstallDate is { } installed && installed > today)
        {
            Add(errors, "installDate", $"installDate {installed:yyyy-MM-dd} is in the future");
        }

        var owner = r.OwnerUnit?.Trim();
        if (owner is { Length: > 200 })
        {
            Add(errors, "ownerUnit", $"ownerUnit has {owner.Length} characters; at most 200 are allowed");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new ValidCamera(
            id, name!, r.Kind!.Value, district, township, r.Longitude!.Value, r.Latitude!.Value,
            r.Azimuth!.Value % 360, r.FieldOfView!.Value, r.Range!.Value, main!, sub, r.DecodeMode!.Value,
            r.AnalysisFps, r.InstallDate, string.IsNullOrEmpty(owner) ? null : owner);
    }

    private static string? CheckStreamUrl(string? value, string field, bool required, Dictionary<string, List<string>> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(errors, field, $"{field} is required (rtsp://host[:port]/path)");
            }

            return null;
        }

        var text = value.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            Add(errors, field, $"{field} is not an absolute URL with a host");
            return null;
        }

        if (uri.Scheme is not ("rtsp" or "rtsps"))
        {
            Add(errors, field, $"{field} must use rtsp:// (or rtsps://), not {uri.Scheme}://");
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Never echo the URL back: it holds a secret.
            Add(errors, field, $"{field} contains credentials (user:password@); remove them from the URL and give them as the camera's credentials, which are stored encrypted");
            return null;
        }

        return text;
    }

    public static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    public static Dictionary<string, string[]> ToProblemErrors(this Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
