using System.Text.Json;
using System.Text.Json.Serialization;
using CameraNet.CameraSim.Scenes;

namespace CameraNet.CameraSim;

[JsonConverter(typeof(JsonStringEnumConverter<CameraFault>))]
public enum CameraFault
{
    /// <summary>A healthy camera.</summary>
    None,

    /// <summary>Nothing accepts connections on its port (TCP connection refused).</summary>
    Refuse,

    /// <summary>Streams normally, then stops sending media after <see cref="SimulatedCamera.StallAfterSeconds"/> while keeping the connection.</summary>
    Stall,

    /// <summary>Answers RTSP normally but sends a stream no decoder can read.</summary>
    Corrupt,
}

/// <summary>One simulated camera: an RTSP mount <c>rtsp://host:port/{Name}</c> playing a scene loop.</summary>
public sealed record SimulatedCamera
{
    public required string Name { get; init; }
    public SceneSpec Scene { get; init; } = new();

    /// <summary>Shifts the loop so cameras showing the same scene are not in step.</summary>
    public double OffsetSeconds { get; init; }

    public CameraFault Fault { get; init; } = CameraFault.None;
    public double StallAfterSeconds { get; init; } = 5;

    /// <summary>When set, the camera demands RTSP Digest (or Basic) authentication.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }
}

public sealed record SimulatorConfig
{
    public string Listen { get; init; } = "127.0.0.1";

    /// <summary>RTSP port; 0 picks a free one (reported in the manifest).</summary>
    public int Port { get; init; }

    public string CacheDirectory { get; init; } = Path.Combine(".cameranet", "cache", "sim");
    public IReadOnlyList<SimulatedCamera> Cameras { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public IEnumerable<string> Problems()
    {
        if (Cameras.Count == 0)
        {
            yield return "cameras: at least one camera is required";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var camera in Cameras)
        {
            if (string.IsNullOrEmpty(camera.Name) || !camera.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                yield return $"cameras: name '{camera.Name}' must be non-empty ASCII letters, digits, '-' or '_'";
            }
            else if (!names.Add(camera.Name))
            {
                yield return $"cameras: name '{camera.Name}' is used twice";
            }

            if ((camera.Username is null) != (camera.Password is null))
            {
                yield return $"cameras[{camera.Name}]: give both username and password, or neither";
            }

            if (camera.Fault == CameraFault.Stall && camera.StallAfterSeconds <= 0)
            {
                yield return $"cameras[{camera.Name}]: stallAfterSeconds must be > 0";
            }

            foreach (var problem in camera.Scene.Problems())
            {
                yield return $"cameras[{camera.Name}].scene: {problem}";
            }
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"port {Port} must be 0–65535";
        }
    }
}

/// <summary>
/// Written by a running simulator: where each camera is and how its loop maps to wall-clock time.
/// Loop frame at wall time t = (floor((t − StartedAt) · fps) + OffsetFrames) mod FrameCount.
/// </summary>
public sealed record SimulatorManifest
{
    public required int Pid { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required int RtspPort { get; init; }
    public required IReadOnlyList<MountInfo> Cameras { get; init; }

    public MountInfo Camera(string name) =>
        Cameras.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"the simulator has no camera '{name}'");
}

public sealed record MountInfo
{
    public required string Name { get; init; }

    /// <summary>RTSP URL without credentials.</summary>
    public required string Url { get; init; }

    public required CameraFault Fault { get; init; }
    public required bool RequiresAuth { get; init; }
    public required SceneSpec Scene { get; init; }
    public required int FrameCount { get; init; }
    public required long OffsetFrames { get; init; }
    public required string TruthFile { get; init; }

    /// <summary>The loop frame shown at <paramref name="time"/> by a camera of a simulator started at <paramref name="startedAt"/>.</summary>
    public int LoopFrameAt(DateTimeOffset startedAt, DateTimeOffset time)
    {
        var absolute = (long)Math.Floor((time - startedAt).TotalSeconds * Scene.Fps);
        return (int)(((absolute + OffsetFrames) % FrameCount + FrameCount) % FrameCount);
    }
}
