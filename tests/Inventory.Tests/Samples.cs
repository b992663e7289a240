namespace CameraNet.Inventory.Tests;

public static class Samples
{
    /// <summary>和平区's centroid, which lies inside it (see data/tianjin/README.md).</summary>
    public const double HepingLon = 117.19668;
    public const double HepingLat = 39.11955;

    public static Dictionary<string, object?> Camera(string id = "12010100001310000001", Action<Dictionary<string, object?>>? change = null)
    {
        var camera = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["name"] = "和平路与南京路路口 东向",
            ["kind"] = "monitoringClass2",
            ["districtCode"] = "120101",
            ["longitude"] = HepingLon,
            ["latitude"] = HepingLat,
            ["azimuth"] = 90.0,
            ["fieldOfView"] = 60.0,
            ["range"] = 80.0,
            ["mainStreamUrl"] = "rtsp://10.12.0.15:554/Streaming/Channels/101",
            ["decodeMode"] = "keyframe",
        };
        change?.Invoke(camera);
        return camera;
    }
}
