using CameraNet.CameraSim;
using CameraNet.CameraSim.Scenes;
using CameraNet.Contracts;

namespace CameraNet.Cli.Demo;

/// <summary>One simulated camera of the demo and how it is registered.</summary>
public sealed record DemoCamera(SimulatedCamera Simulated, string Id, string Name, CameraKind Kind, string District, double Longitude, double Latitude, double Azimuth, double FieldOfView, double Range, DecodeMode Mode, double? AnalysisFps)
{
    /// <summary>Never print the password.</summary>
    public override string ToString() => $"DemoCamera {{ {Id} {Name} }}";
}

/// <summary>The demo's cameras: checkpoints read in full, monitoring points sampled at key frames, and one broken camera.</summary>
public static class DemoCameras
{
    /// <summary>A camera that demands RTSP digest authentication; the demo registers its credentials (stored encrypted).</summary>
    private static DemoCamera WithPassword(DemoCamera camera) => camera with
    {
        Simulated = camera.Simulated with { Username = "admin", Password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) },
    };

    public static IReadOnlyList<DemoCamera> Create(IReadOnlyDictionary<string, (double Lon, double Lat)> centroids)
    {
        DemoCamera Make(string name, SceneKind scene, int variant, string district, int serial, CameraKind kind, DecodeMode mode, CameraFault fault = CameraFault.None, double offset = 0)
        {
            var (lon, lat) = centroids[district];
            var type = kind == CameraKind.Checkpoint ? "121" : "132";
            var id = $"{district}00" + "00" + type + "0" + serial.ToString("000000", System.Globalization.CultureInfo.InvariantCulture);
            return new DemoCamera(
                new SimulatedCamera { Name = name, Scene = new SceneSpec { Kind = scene, Variant = variant }, Fault = fault, OffsetSeconds = offset },
                id, name, kind, district, lon, lat,
                Azimuth: (serial * 67) % 360, FieldOfView: kind == CameraKind.Checkpoint ? 40 : 90, Range: kind == CameraKind.Checkpoint ? 60 : 120,
                mode, mode == DecodeMode.Full ? 10 : null);
        }

        return
        [
            Make("checkpoint-heping", SceneKind.Checkpoint, 0, "120101", 1, CameraKind.Checkpoint, DecodeMode.Full),
            Make("checkpoint-hexi", SceneKind.Checkpoint, 1, "120103", 2, CameraKind.Checkpoint, DecodeMode.Full),
            Make("street-nankai", SceneKind.Street, 0, "120104", 3, CameraKind.MonitoringClass2, DecodeMode.Keyframe),
            Make("street-hebei", SceneKind.Street, 0, "120105", 4, CameraKind.MonitoringClass3, DecodeMode.Keyframe, offset: 17),
            Make("street-hongqiao", SceneKind.Street, 0, "120106", 5, CameraKind.MonitoringClass1, DecodeMode.Keyframe, offset: 31),
            Make("street-hedong-offline", SceneKind.Street, 0, "120102", 6, CameraKind.MonitoringClass3, DecodeMode.Keyframe, CameraFault.Refuse),
            WithPassword(Make("street-dongli-secured", SceneKind.Street, 0, "120110", 7, CameraKind.MonitoringClass2, DecodeMode.Keyframe, offset: 43)),
        ];
    }
}
