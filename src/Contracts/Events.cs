using System.Text.Json.Serialization;

namespace CameraNet.Contracts;

/// <summary>How much of a camera's stream the ingest worker decodes.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DecodeMode>))]
public enum DecodeMode
{
    /// <summary>Only key frames (about one per GOP), scaled down: sampling and health for monitoring points.</summary>
    Keyframe,

    /// <summary>Every frame, or the configured analysis fps: checkpoints that read plates.</summary>
    Full,
}

/// <summary>Connection state of one camera as seen by the ingest worker that pulls it.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CameraHealth>))]
public enum CameraHealth
{
    Unknown,
    Connecting,
    Online,
    Stalled,
    Unreachable,
    AuthFailed,
    BadStream,
}

/// <summary>
/// A frame was decoded and sampled. Lossy by design: dropped under pressure, short retention.
/// Subject: <see cref="Subjects.Frames"/>.
/// </summary>
public sealed record FrameSampled
{
    public required string EventId { get; init; }
    public required string CameraId { get; init; }
    public required string DistrictCode { get; init; }
    public required string TownshipCode { get; init; }
    public required string WorkerId { get; init; }

    /// <summary>When the worker received the frame (ingest clock, UTC).</summary>
    public required DateTimeOffset CapturedAt { get; init; }

    /// <summary>Presentation time of the frame in the stream, seconds since the stream was opened.</summary>
    public double? StreamTime { get; init; }

    /// <summary>Sequence number of the frame among those decoded since the stream was opened.</summary>
    public required long Sequence { get; init; }

    public required DecodeMode DecodeMode { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>Share of the (small, grey) frame that changed, 0–1.</summary>
    public double MotionScore { get; init; }

    /// <summary>A small JPEG thumbnail, sent at a capped rate; null on most frames.</summary>
    public byte[]? ThumbnailJpeg { get; init; }
}

/// <summary>A camera's connection state changed. Subject: <see cref="Subjects.CameraStatus"/>.</summary>
public sealed record CameraStatusChanged
{
    public required string CameraId { get; init; }
    public required string DistrictCode { get; init; }
    public required string TownshipCode { get; init; }
    public required string WorkerId { get; init; }
    public required CameraHealth Previous { get; init; }
    public required CameraHealth Current { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
    public DateTimeOffset? LastFrameAt { get; init; }
}

/// <summary>Periodic liveness and load report of an ingest worker. Subject: <see cref="Subjects.WorkerHeartbeat"/>.</summary>
public sealed record WorkerHeartbeat
{
    public required string WorkerId { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required int Cameras { get; init; }
    public required long FramesDecoded { get; init; }
    public required long FrameEventsPublished { get; init; }
    public required long FrameEventsDropped { get; init; }
    public IReadOnlyDictionary<string, int> CamerasByHealth { get; init; } = new Dictionary<string, int>();

    /// <summary>Seconds between this worker's heartbeats: others count it gone after 2.5 of them without one.</summary>
    public double IntervalSeconds { get; init; }

    /// <summary>The pool the worker splits cameras within (fleet name and districts); peers of other pools are ignored.</summary>
    public string? Pool { get; init; }

    /// <summary>The worker is shutting down: the others take its cameras now instead of waiting for it to time out.</summary>
    public bool Stopping { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FrameSampled))]
[JsonSerializable(typeof(CameraStatusChanged))]
[JsonSerializable(typeof(WorkerHeartbeat))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
