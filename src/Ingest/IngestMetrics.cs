using Prometheus;

namespace CameraNet.Ingest;

/// <summary>Prometheus metrics of a worker. Per-camera series are labelled by camera ID.</summary>
internal static class IngestMetrics
{
    public static readonly Counter FramesDecoded = Metrics.CreateCounter(
        "cameranet_ingest_frames_decoded_total", "Frames decoded by ffmpeg and read by the worker.", "camera");

    public static readonly Counter FramesDropped = Metrics.CreateCounter(
        "cameranet_ingest_frames_dropped_total", "Decoded frames dropped because analysis was busy.", "camera");

    public static readonly Counter Reconnects = Metrics.CreateCounter(
        "cameranet_ingest_reconnects_total", "Capture sessions started again after a failure or stall.", "camera");

    public static readonly Counter FrameEventsPublished = Metrics.CreateCounter(
        "cameranet_ingest_frame_events_published_total", "FrameSampled events published on NATS.");

    public static readonly Counter FrameEventsDropped = Metrics.CreateCounter(
        "cameranet_ingest_frame_events_dropped_total", "FrameSampled events dropped (queue full or NATS unavailable).");

    public static readonly Gauge FrameLag = Metrics.CreateGauge(
        "cameranet_ingest_frame_lag_seconds", "Time from capture (the camera's RTCP clock) to decoded frame, last frame.", "camera");

    public static readonly Gauge CameraFps = Metrics.CreateGauge(
        "cameranet_ingest_camera_fps", "Frames decoded per second over the last heartbeat interval.", "camera");

    public static readonly Gauge CpuSeconds = Metrics.CreateGauge(
        "cameranet_ingest_cpu_seconds", "CPU seconds used so far by the worker process and by the ffmpeg processes it started.", "process");

    public static readonly Gauge MemoryPss = Metrics.CreateGauge(
        "cameranet_ingest_memory_pss_bytes", "Proportional set size of the worker process and of its ffmpeg processes.", "process");

    public static readonly Gauge KeyframesDecoded = Metrics.CreateGauge(
        "cameranet_ingest_keyframes_decoded", "Key frames decoded in-process so far (all cameras).");

    public static readonly Gauge CamerasByHealth = Metrics.CreateGauge(
        "cameranet_ingest_cameras", "Cameras assigned to this worker, by health.", "health");
}
