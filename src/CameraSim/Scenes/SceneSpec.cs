using System.Text.Json.Serialization;

namespace CameraNet.CameraSim.Scenes;

[JsonConverter(typeof(JsonStringEnumConverter<SceneKind>))]
public enum SceneKind
{
    /// <summary>An electronic checkpoint (电子卡口): two lanes of vehicles driving towards the camera, plates readable.</summary>
    Checkpoint,

    /// <summary>A monitoring point over a street: vehicles crossing side-on, no readable plates.</summary>
    Street,
}

/// <summary>
/// Everything that determines a rendered scene. Two equal specs give byte-identical video,
/// so the encoded file is cached under <see cref="CacheKey"/>.
/// </summary>
public sealed record SceneSpec
{
    /// <summary>Bump when drawing changes, so cached renders are not reused.</summary>
    public const int RendererVersion = 1;

    public SceneKind Kind { get; init; } = SceneKind.Checkpoint;

    /// <summary>Selects a different (deterministic) traffic script and look for the same kind.</summary>
    public int Variant { get; init; }

    public int Width { get; init; } = 1280;
    public int Height { get; init; } = 720;
    public int Fps { get; init; } = 25;

    /// <summary>Frames between key frames (IDR).</summary>
    public int Gop { get; init; } = 50;

    /// <summary>Length of the loop; rounded up to a whole number of GOPs so every loop starts on a key frame.</summary>
    public int Seconds { get; init; } = 60;

    /// <summary>Seconds between vehicles entering the checkpoint's view (both lanes together).</summary>
    public double VehicleInterval { get; init; } = 2.4;

    public int FrameCount => (Seconds * Fps + Gop - 1) / Gop * Gop;

    public string CacheKey =>
        $"{Kind.ToString().ToLowerInvariant()}-v{Variant}-{Width}x{Height}-{Fps}fps-g{Gop}-{Seconds}s-i{VehicleInterval:0.###}-r{RendererVersion}";

    public IEnumerable<string> Problems()
    {
        if (Width is < 160 or > 3840 || Width % 2 != 0)
        {
            yield return $"width {Width} must be even and 160–3840";
        }

        if (Height is < 120 or > 2160 || Height % 2 != 0)
        {
            yield return $"height {Height} must be even and 120–2160";
        }

        if (Fps is < 1 or > 60)
        {
            yield return $"fps {Fps} must be 1–60";
        }

        if (Gop is < 1 or > 600)
        {
            yield return $"gop {Gop} must be 1–600 frames";
        }

        if (Seconds is < 4 or > 600)
        {
            yield return $"seconds {Seconds} must be 4–600";
        }

        if (VehicleInterval is < 0.5 or > 60)
        {
            yield return $"vehicleInterval {VehicleInterval} must be 0.5–60 seconds";
        }
    }
}
