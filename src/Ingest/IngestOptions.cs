using System.ComponentModel.DataAnnotations;

namespace CameraNet.Ingest;

/// <summary>Settings of an ingest worker (section <c>Ingest</c>; env <c>Ingest__…</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Unique among live workers; defaults to host name and process ID.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    [Required(ErrorMessage = "Ingest:InventoryUrl is required (base URL of the inventory service)")]
    [Url]
    public string InventoryUrl { get; set; } = string.Empty;

    /// <summary>The worker's API key (role ingest) for the inventory. A secret: give it through the environment.</summary>
    [Required(ErrorMessage = "Ingest:ApiKey is required (an inventory API key with the ingest role)")]
    public string ApiKey { get; set; } = string.Empty;

    [Required(ErrorMessage = "Ingest:NatsUrl is required, e.g. nats://127.0.0.1:4222")]
    public string NatsUrl { get; set; } = string.Empty;

    public string? NatsUser { get; set; }
    public string? NatsPassword { get; set; }

    /// <summary>The districts (6-digit codes) whose cameras this worker's pool pulls; empty = the whole city.</summary>
    public string[] Districts { get; set; } = [];

    /// <summary>
    /// Name of the deployment this worker belongs to. Workers that share a NATS server but serve different
    /// inventories (staging next to production, parallel test runs) must have different names, or they
    /// would count each other as peers and hand cameras to a worker that never sees them.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Ingest:Fleet must be 1-64 letters, digits, '.', '_' or '-'")]
    public string Fleet { get; set; } = "cameranet";

    /// <summary>
    /// The pool this worker splits cameras with: same fleet and same districts. Only workers of one pool
    /// share the rendezvous hash; a worker of another pool pulls a different camera list.
    /// </summary>
    public string Pool => Fleet + "/" + (Districts.Length == 0 ? "*" : string.Join(',', Districts.Select(d => d.Trim()).Order(StringComparer.Ordinal).Distinct()));

    /// <summary>How often the camera list is fetched from the inventory.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AssignmentInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of frames handed to analysis in keyframe mode (sampling and health).</summary>
    [Range(64, 1920)]
    public int KeyframeWidth { get; set; } = 640;

    [Range(64, 1080)]
    public int KeyframeHeight { get; set; } = 360;

    /// <summary>Size of frames handed to analysis in full mode (plate reading needs detail).</summary>
    [Range(64, 3840)]
    public int FullWidth { get; set; } = 1280;

    [Range(64, 2160)]
    public int FullHeight { get; set; } = 720;

    /// <summary>
    /// Motion scores per second and camera in full mode (key-frame mode scores every frame it has).
    /// Motion is a trigger, not a measurement: like NVRs that detect at 5 fps on 25 fps streams,
    /// scoring a fifth of the frames finds the same vehicles at a fifth of the cost.
    /// </summary>
    [Range(0.1, 60)]
    public double FullModeMotionPerSecond { get; set; } = 5;

    /// <summary>Frame events per second and camera in full mode (keyframe mode sends one per decoded frame).</summary>
    [Range(0.01, 30)]
    public double FullModeFrameEventsPerSecond { get; set; } = 2;

    /// <summary>At most one thumbnail per camera in this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ThumbnailInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frame events waiting for NATS; beyond this they are dropped and counted.</summary>
    [Range(16, 1_000_000)]
    public int FrameEventQueue { get; set; } = 4096;

    /// <summary>No key frame for this long and a key-frame camera counts as stalled (GOPs of IP cameras are 1–4 s).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan KeyframeStallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Threads decoding key frames for all key-frame cameras; 0 = one per core.</summary>
    [Range(0, 256)]
    public int KeyframeDecoderThreads { get; set; }

    /// <summary>Key frames waiting for a decoder thread; beyond this they are dropped and counted.</summary>
    [Range(1, 100_000)]
    public int KeyframeQueue { get; set; } = 256;

    /// <summary>
    /// Who decodes full-mode cameras: <see cref="FullModeDecoder.InProcess"/> (default, the cheapest) or
    /// <see cref="FullModeDecoder.Ffmpeg"/>, one ffmpeg process per camera (isolated, ~1.6× the CPU).
    /// </summary>
    public FullModeDecoder FullModeDecoder { get; set; } = FullModeDecoder.InProcess;

    /// <summary>Plate readings per second and full-mode camera while something moves (a pass gives several).</summary>
    [Range(0.5, 60)]
    public double PlateReadsPerSecond { get; set; } = 10;

    /// <summary>Motion score (share of the frame that changed) that wakes plate reading up.</summary>
    [Range(0.0, 1.0)]
    public double PlateMotionThreshold { get; set; } = 0.002;

    /// <summary>A pass ends when its plate has not been read for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00")]
    public TimeSpan PlatePassGap { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Readings a pass needs to be reported (one stray reading is not a vehicle).</summary>
    [Range(1, 100)]
    public int PlateMinReadings { get; set; } = 3;

    /// <summary>Readings whose second-weakest character is less probable than this are dropped (one doubtful character is allowed; its confidence shows it).</summary>
    [Range(0.0, 1.0)]
    public float PlateMinEvidence { get; set; } = Plates.Recognition.PlateReader.DefaultMinEvidence;

    /// <summary>How long plate captures are kept in the PLATES stream (personal data: then they are gone).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan PlateRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>JetStream drops a capture sent again (same capture ID) within this window: retries, spool replays.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PlateDuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where plate captures wait when NATS is away, one folder per worker ID. Workers on one machine share
    /// the root: a restarted worker delivers what a dead one left.
    /// </summary>
    public string SpoolDirectory { get; set; } = Path.Combine(".cameranet", "spool");

    [Range(1024L * 1024, 1L << 40)]
    public long SpoolMaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Prometheus endpoint port; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; }

    /// <summary>ffmpeg binary folder; empty = look on PATH.</summary>
    public string FfmpegFolder { get; set; } = string.Empty;
}

/// <summary>Where full-mode cameras are decoded (see <see cref="Capture.FullFrameSession"/>).</summary>
public enum FullModeDecoder
{
    /// <summary>In the worker, one decoder per camera on the thread receiving its stream.</summary>
    InProcess,

    /// <summary>One ffmpeg process per camera, raw frames through a pipe.</summary>
    Ffmpeg,
}
