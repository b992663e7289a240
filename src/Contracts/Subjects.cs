using System.Diagnostics.CodeAnalysis;

namespace CameraNet.Contracts;

/// <summary>
/// NATS subject names. Geographic tokens come first so analysts can subscribe with wildcards,
/// e.g. <c>cameranet.plates.120101.&gt;</c> for one district.
/// </summary>
public static class Subjects
{
    public const string Root = "cameranet";
    public const string FramesPrefix = "cameranet.frames";
    public const string PlatesPrefix = "cameranet.plates";
    public const string StatusPrefix = "cameranet.status";
    public const string AlertsPrefix = "cameranet.alerts";

    /// <summary>The JetStream stream holding plate captures (<c>cameranet.plates.&gt;</c>).</summary>
    public const string PlatesStream = "PLATES";

    /// <summary>The JetStream stream holding watchlist hits (<c>cameranet.alerts.&gt;</c>).</summary>
    public const string AlertsStream = "ALERTS";

    /// <summary><c>cameranet.frames.{district6}.{township9}.{cameraId20}</c></summary>
    public static string Frames(DivisionCode district, DivisionCode township, GbDeviceId camera) =>
        Build(FramesPrefix, district, township, camera);

    /// <summary><c>cameranet.plates.{district6}.{township9}.{cameraId20}</c></summary>
    public static string Plates(DivisionCode district, DivisionCode township, GbDeviceId camera) =>
        Build(PlatesPrefix, district, township, camera);

    /// <summary><c>cameranet.alerts.{district6}.{township9}.{cameraId20}</c>: watchlist hits, scoped like the captures they come from.</summary>
    public static string Alerts(DivisionCode district, DivisionCode township, GbDeviceId camera) =>
        Build(AlertsPrefix, district, township, camera);

    /// <summary>
    /// The plate subjects an analyst filter names: a camera, else a township, else a district, else the whole city.
    /// A camera needs its township and district (they are the subject's first tokens).
    /// </summary>
    public static string PlatesFilter(DivisionCode? district, DivisionCode? township, GbDeviceId? camera) =>
        Filter(PlatesPrefix, district, township, camera);

    public static string AlertsFilter(DivisionCode? district, DivisionCode? township, GbDeviceId? camera) =>
        Filter(AlertsPrefix, district, township, camera);

    private static string Filter(string prefix, DivisionCode? district, DivisionCode? township, GbDeviceId? camera)
    {
        if (township is { } t)
        {
            if (t.Level != DivisionLevel.Township)
            {
                throw new ArgumentException($"'{t}' is not a 9-digit township code", nameof(township));
            }

            if (district is { } d && (d.Level != DivisionLevel.District || !d.Contains(t)))
            {
                throw new ArgumentException($"township {t} is not inside district {d}", nameof(township));
            }

            return camera is { } c ? $"{prefix}.{t.District.Value}.{t.Value}.{c.Value}" : $"{prefix}.{t.District.Value}.{t.Value}.*";
        }

        if (camera is { } cam)
        {
            return district is { } dd ? $"{prefix}.{dd.District.Value}.*.{cam.Value}" : $"{prefix}.*.*.{cam.Value}";
        }

        return district is { } only ? $"{prefix}.{only.District.Value}.>" : $"{prefix}.>";
    }

    /// <summary><c>cameranet.status.camera.{district6}.{township9}.{cameraId20}</c></summary>
    public static string CameraStatus(DivisionCode district, DivisionCode township, GbDeviceId camera) =>
        Build(StatusPrefix + ".camera", district, township, camera);

    /// <summary><c>cameranet.status.worker.{workerId}</c></summary>
    public static string WorkerHeartbeat(string workerId) =>
        $"{StatusPrefix}.worker.{CheckToken(workerId, nameof(workerId))}";

    /// <summary>All frame events of one district (or of the whole city when <paramref name="district"/> is null).</summary>
    public static string FramesOf(DivisionCode? district = null) =>
        district is { } d ? $"{FramesPrefix}.{d.District.Value}.>" : $"{FramesPrefix}.>";

    public static string PlatesOf(DivisionCode? district = null) =>
        district is { } d ? $"{PlatesPrefix}.{d.District.Value}.>" : $"{PlatesPrefix}.>";

    private static string Build(string prefix, DivisionCode district, DivisionCode township, GbDeviceId camera)
    {
        if (district.Level != DivisionLevel.District)
        {
            throw new ArgumentException($"'{district}' is not a 6-digit district code", nameof(district));
        }

        if (township.Level != DivisionLevel.Township || !district.Contains(township))
        {
            throw new ArgumentException($"'{township}' is not a 9-digit township code inside district {district}", nameof(township));
        }

        return $"{prefix}.{district.Value}.{township.Value}.{camera.Value}";
    }

    /// <summary>Parses a camera-scoped subject (frames, plates, camera status) back into its parts.</summary>
    public static bool TryParseCameraSubject(string subject, [NotNullWhen(true)] out CameraSubject? parsed)
    {
        parsed = null;
        var parts = subject.Split('.');
        string kind;
        int first;
        if (parts.Length == 5 && parts[0] == Root && parts[1] is "frames" or "plates" or "alerts")
        {
            kind = parts[1];
            first = 2;
        }
        else if (parts.Length == 6 && parts[0] == Root && parts[1] == "status" && parts[2] == "camera")
        {
            kind = "status";
            first = 3;
        }
        else
        {
            return false;
        }

        if (!DivisionCode.TryParse(parts[first], out var district) || district.Level != DivisionLevel.District
            || !DivisionCode.TryParse(parts[first + 1], out var township) || township.Level != DivisionLevel.Township
            || !district.Contains(township)
            || !GbDeviceId.TryParse(parts[first + 2], out var camera))
        {
            return false;
        }

        parsed = new CameraSubject(kind, district, township, camera);
        return true;
    }

    private static string CheckToken(string token, string name)
    {
        if (string.IsNullOrEmpty(token) || token.AsSpan().IndexOfAny(" .*>\t\r\n") >= 0)
        {
            throw new ArgumentException($"'{token}' cannot be used as a NATS subject token (empty, or contains space . * >)", name);
        }

        return token;
    }
}

public sealed record CameraSubject(string Kind, DivisionCode District, DivisionCode Township, GbDeviceId Camera);
