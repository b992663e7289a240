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
    string? OwnerUnit,
    string? Username,
    string? Password,
    bool ClearCredentials)
{
    public bool HasNewCredentials => Username is not null;

    /// <summary>Never print the password.</summary>
    public override string ToString() => $"ValidCamera {{ Id = {Id}, Name = {Name} }}";
}

/// <summary>
/// The field rules of a camera registration that need no database. Each broken rule is reported
/// against its field (camelCase, as in the JSON), so clients can show it next to the input.
/// </summary>
public static class CameraValidator
{
    public const double MaxRangeMetres = 3000;
    public const double MaxAnalysisFps = 60;
    public const int MaxName = 200;
    public const int MaxOwnerUnit = 200;
    public const int MaxUsername = 100;
    public const int MaxPassword = 200;

    /// <summary>
    /// Checks every field rule and reports each broken one with a stable rule code
    /// (e.g. <c>azimuth.range</c>); returns the normalised camera when nothing is broken, counting
    /// problems already in <paramref name="errors"/> (such as values an import could not parse).
    /// </summary>
    public static ValidCamera? Validate(CameraRegistration r, FieldErrors errors, DateOnly today)
    {
        if (!GbDeviceId.TryParse(r.Id?.Trim(), out var id, out var idError, out var idRule))
        {
            errors.Add("id", idRule, idError);
        }

        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name", "name.required", "name is required");
        }
        else if (name.Length > MaxName)
        {
            errors.Add("name", "name.length", $"name has {name.Length} characters; at most {MaxName} are allowed");
        }

        if (r.Kind is null && Unreported(errors, "kind"))
        {
            errors.Add("kind", "kind.required", "kind is required: monitoringClass1, monitoringClass2, monitoringClass3, checkpoint or ptz");
        }

        var district = CheckDistrict(r.DistrictCode, errors);
        var township = CheckTownship(r.TownshipCode, district, errors);
        CheckCoordinate(r.Longitude, "longitude", 180, errors);
        CheckCoordinate(r.Latitude, "latitude", 90, errors);

        if (r.Azimuth is not { } azimuth)
        {
            AddRequired(errors, "azimuth", "azimuth is required (degrees clockwise from north, 0–360)");
        }
        else if (!double.IsFinite(azimuth) || azimuth is < 0 or > 360)
        {
            errors.Add("azimuth", "azimuth.range", $"azimuth {azimuth} is outside 0–360 degrees");
        }

        if (r.FieldOfView is not { } fov)
        {
            AddRequired(errors, "fieldOfView", "fieldOfView is required (degrees, 1–360)");
        }
        else if (!double.IsFinite(fov) || fov is < 1 or > 360)
        {
            errors.Add("fieldOfView", "fieldOfView.range", $"fieldOfView {fov} is outside 1–360 degrees");
        }

        if (r.Range is not { } range)
        {
            AddRequired(errors, "range", "range is required (metres)");
        }
        else if (!double.IsFinite(range) || range <= 0)
        {
            errors.Add("range", "range.positive", $"range {range} must be greater than 0 metres");
        }
        else if (range > MaxRangeMetres)
        {
            errors.Add("range", "range.plausible", $"range {range} m is not plausible for a camera; at most {MaxRangeMetres} m");
        }

        var main = CheckStreamUrl(r.MainStreamUrl, "mainStreamUrl", required: true, errors);
        var sub = CheckStreamUrl(r.SubStreamUrl, "subStreamUrl", required: false, errors);

        if (r.DecodeMode is null && Unreported(errors, "decodeMode"))
        {
            errors.Add("decodeMode", "decodeMode.required", "decodeMode is required: keyframe (sample + health) or full (every frame, plate reading)");
        }

        if (r.AnalysisFps is { } fps)
        {
            if (!double.IsFinite(fps) || fps <= 0 || fps > MaxAnalysisFps)
            {
                errors.Add("analysisFps", "analysisFps.range", $"analysisFps {fps} must be greater than 0 and at most {MaxAnalysisFps}");
            }
            else if (r.DecodeMode == DecodeMode.Keyframe)
            {
                errors.Add("analysisFps", "analysisFps.mode", "analysisFps applies only to decodeMode full; keyframe mode decodes one frame per GOP");
            }
        }

        if (r.InstallDate is { } installed && installed > today)
        {
            errors.Add("installDate", "installDate.future", $"installDate {installed:yyyy-MM-dd} is in the future");
        }

        var owner = r.OwnerUnit?.Trim();
        if (owner is { Length: > MaxOwnerUnit })
        {
            errors.Add("ownerUnit", "ownerUnit.length", $"ownerUnit has {owner.Length} characters; at most {MaxOwnerUnit} are allowed");
        }

        var (username, password) = CheckCredentials(r, errors);
        if (errors.Count > 0)
        {
            return null; // including problems found before (a value the reader could not parse)
        }

        return new ValidCamera(
            id, name!, r.Kind!.Value, district!.Value, township, r.Longitude!.Value, r.Latitude!.Value,
            r.Azimuth!.Value % 360, r.FieldOfView!.Value, r.Range!.Value, main!, sub, r.DecodeMode!.Value,
            r.AnalysisFps, r.InstallDate, string.IsNullOrEmpty(owner) ? null : owner, username, password, r.ClearCredentials);
    }

    /// <summary>True when nothing has been said about the field yet (a value that could not be read is not also "missing").</summary>
    private static bool Unreported(FieldErrors errors, string field) => !errors.Exists(e => e.Field == field);

    private static void AddRequired(FieldErrors errors, string field, string message)
    {
        if (Unreported(errors, field))
        {
            errors.Add(field, field + ".required", message);
        }
    }

    private static DivisionCode? CheckDistrict(string? text, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("districtCode", "districtCode.required", "districtCode is required (6-digit GB/T 2260 district code)");
            return null;
        }

        if (!DivisionCode.TryParse(text.Trim(), out var district, out var error))
        {
            errors.Add("districtCode", "districtCode.format", error);
            return null;
        }

        if (district.Level != DivisionLevel.District)
        {
            errors.Add("districtCode", "districtCode.format", $"'{district}' is a township code; districtCode needs the 6-digit district code");
            return null;
        }

        return district;
    }

    private static DivisionCode? CheckTownship(string? text, DivisionCode? district, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DivisionCode.TryParse(text.Trim(), out var township, out var error))
        {
            errors.Add("townshipCode", "townshipCode.format", error);
        }
        else if (township.Level != DivisionLevel.Township)
        {
            errors.Add("townshipCode", "townshipCode.format", $"'{township}' is a district code; townshipCode needs a 9-digit township code (or leave it out to derive it from the location)");
        }
        else if (district is { } d && !d.Contains(township))
        {
            errors.Add("townshipCode", "townshipCode.district", $"township {township} is not in district {d}");
        }
        else
        {
            return township;
        }

        return null;
    }

    private static void CheckCoordinate(double? value, string field, double limit, FieldErrors errors)
    {
        if (value is not { } v)
        {
            AddRequired(errors, field, $"{field} is required (WGS-84 degrees)");
        }
        else if (!double.IsFinite(v) || Math.Abs(v) > limit)
        {
            errors.Add(field, field + ".range", $"{field} {v} is outside -{limit}..{limit}");
        }
    }

    private static string? CheckStreamUrl(string? value, string field, bool required, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "url.required", $"{field} is required (rtsp://host[:port]/path)");
            }

            return null;
        }

        var text = value.Trim();
        if (IsPlainRtspUrl(text))
        {
            return text; // the common case, checked without building a Uri (bulk imports check millions)
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(field, "url.absolute", $"{field} is not an absolute URL with a host");
            return null;
        }

        if (uri.Scheme is not ("rtsp" or "rtsps"))
        {
            errors.Add(field, "url.scheme", $"{field} must use rtsp:// (or rtsps://), not {uri.Scheme}://");
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Never echo the URL back: it holds a secret.
            errors.Add(field, "url.credentials", $"{field} contains credentials (user:password@); remove them from the URL and give them as the camera's username and password, which are stored encrypted");
            return null;
        }

        return text;
    }

    /// <summary>
    /// rtsp[s]://host[:port][/path…] with a non-empty host, digits for the port, no user info and no
    /// spaces or control characters. Anything else takes the full <see cref="Uri"/> route for a precise message.
    /// </summary>
    private static bool IsPlainRtspUrl(string text)
    {
        var start = text.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) ? 7
            : text.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase) ? 8
            : -1;
        if (start < 0)
        {
            return false;
        }

        var end = text.AsSpan(start).IndexOfAny('/', '?', '#');
        var authority = end < 0 ? text.AsSpan(start) : text.AsSpan(start, end);
        var colon = authority.LastIndexOf(':');
        var host = colon < 0 ? authority : authority[..colon];
        if (host.IsEmpty || authority.Contains('@') || authority.Contains('[') || host.IndexOfAnyExcept(HostCharacters) >= 0)
        {
            return false;
        }

        if (colon >= 0 && (colon == authority.Length - 1 || authority[(colon + 1)..].IndexOfAnyExceptInRange('0', '9') >= 0))
        {
            return false;
        }

        if (text.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0)
        {
            return true; // printable ASCII throughout: no space or control character (one vectorised scan)
        }

        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly System.Buffers.SearchValues<char> HostCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");

    private static (string? Username, string? Password) CheckCredentials(CameraRegistration r, FieldErrors errors)
    {
        var user = string.IsNullOrEmpty(r.Username) ? null : r.Username;
        var password = string.IsNullOrEmpty(r.Password) ? null : r.Password;
        if ((user is null) != (password is null))
        {
            errors.Add(user is null ? "username" : "password", "credentials.pair", "give both username and password, or neither");
            return (null, null);
        }

        if (user is not null && r.ClearCredentials)
        {
            errors.Add("clearCredentials", "credentials.clear", "clearCredentials cannot be combined with new credentials");
        }

        if (user is { Length: > MaxUsername })
        {
            errors.Add("username", "credentials.length", $"username has {user.Length} characters; at most {MaxUsername} are allowed");
        }
        else if (user is not null && user.Any(char.IsControl))
        {
            errors.Add("username", "credentials.control", "username must not contain control characters");
        }

        if (password is { Length: > MaxPassword })
        {
            errors.Add("password", "credentials.length", $"password is longer than {MaxPassword} characters"); // never echo it
        }

        return (user, password);
    }
}
