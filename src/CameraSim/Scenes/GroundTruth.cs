using System.Text.Json;
using System.Text.Json.Serialization;
using CameraNet.Contracts;

namespace CameraNet.CameraSim.Scenes;

/// <summary>
/// Ground truth of one rendered scene: which plate is visible in which frames of the loop, and where.
/// Frame numbers are loop frames (0 … FrameCount-1). A camera plays the loop over and over;
/// <see cref="SimulatorManifest"/> says how loop frames map to wall-clock time.
/// </summary>
public sealed record SceneTruth
{
    public required string CacheKey { get; init; }
    public required SceneSpec Spec { get; init; }
    public required int FrameCount { get; init; }
    public required IReadOnlyList<VehiclePassTruth> Passes { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>One vehicle crossing the view. <see cref="Track"/> lists the frames where its plate is fully visible.</summary>
public sealed record VehiclePassTruth
{
    public required int Id { get; init; }

    /// <summary>Plate number, or null for vehicles whose plate cannot be seen (side-on traffic).</summary>
    public string? Plate { get; init; }

    public PlateColour Colour { get; init; }
    public required string Vehicle { get; init; }
    public required int Lane { get; init; }
    public required int FirstFrame { get; init; }
    public required int LastFrame { get; init; }

    /// <summary>Per visible frame: [frame, cx, cy, w, h] of the plate's axis-aligned box in pixels.</summary>
    public IReadOnlyList<int[]> Track { get; init; } = [];
}
