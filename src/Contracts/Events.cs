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

/// <summary>Type of vehicle a plate belongs to, as far as the plate says (colour and size).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<PlateKind>))]
public enum PlateKind
{
    Unknown,

    /// <summary>Blue plates; small new-energy (green, D/F third character).</summary>
    SmallVehicle,

    /// <summary>Yellow plates; large new-energy (D/F last character).</summary>
    LargeVehicle,

    /// <summary>Coach (学), trailer (挂), trial (试), oversize (超) plates.</summary>
    Special,

    /// <summary>Police (警).</summary>
    Police,

    /// <summary>Hong Kong/Macau (港/澳), embassy (使), consulate (领).</summary>
    Foreign,
}

/// <summary>Pixel box of a plate in the frame it was read from.</summary>
public sealed record PlateBox(int X, int Y, int Width, int Height);

/// <summary>
/// One vehicle pass at a camera: the plate read on several frames, tracked, voted per character, with
/// the best crop. Personal data: delivered only on the durable <c>PLATES</c> stream, to authorised
/// analysts of its district, and expires with the stream's retention.
/// Subject: <see cref="Subjects.Plates"/>; <c>Nats-Msg-Id</c> = <see cref="CaptureId"/>.
/// </summary>
public sealed record PlateCaptured
{
    /// <summary>Deterministic (camera, plate, first camera-clock time): the same pass seen again has the same ID.</summary>
    public required string CaptureId { get; init; }

    public required string CameraId { get; init; }
    public required string DistrictCode { get; init; }
    public required string TownshipCode { get; init; }
    public required string WorkerId { get; init; }

    /// <summary>First and last frame the plate was read on (camera clock when the stream tells it, else ingest clock).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    public required DateTimeOffset LastSeenAt { get; init; }

    /// <summary>When the worker decided the pass was over and published it (ingest clock).</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    public required string Plate { get; init; }
    public required PlateColour Colour { get; init; }
    public required PlateKind Kind { get; init; }

    /// <summary>Per character: the share of the pass's readings that agree with it, weighted by their confidence (0–1).</summary>
    public required IReadOnlyList<double> CharacterConfidence { get; init; }

    /// <summary>The weakest character's confidence.</summary>
    public required double Confidence { get; init; }

    /// <summary>Frames the plate was read on during the pass.</summary>
    public required int Readings { get; init; }

    /// <summary>Where the plate was on the frame the crop comes from, and that frame's size.</summary>
    public required PlateBox Box { get; init; }

    public required int FrameWidth { get; init; }
    public required int FrameHeight { get; init; }

    /// <summary>The plate and a margin around it, JPEG, a few kB. Never the full frame.</summary>
    public byte[]? CropJpeg { get; init; }
}

/// <summary>
/// A capture matched an entry of an analyst's watchlist. Subject: <see cref="Subjects.Alerts"/>.
/// </summary>
public sealed record PlateWatchlistHit
{
    public required string HitId { get; init; }
    public required long WatchlistEntryId { get; init; }

    /// <summary>The entry's pattern (a plate, or a pattern with <c>?</c> for one character and <c>*</c> for any).</summary>
    public required string Pattern { get; init; }

    public required string Reason { get; init; }
    public required string Owner { get; init; }
    public required DateTimeOffset MatchedAt { get; init; }
    public required PlateCaptured Capture { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FrameSampled))]
[JsonSerializable(typeof(CameraStatusChanged))]
[JsonSerializable(typeof(WorkerHeartbeat))]
[JsonSerializable(typeof(PlateCaptured))]
[JsonSerializable(typeof(PlateWatchlistHit))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
