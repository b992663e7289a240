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

    public static readonly Counter PlateEventsPublished = Metrics.CreateCounter(
        "cameranet_ingest_plate_events_published_total", "PlateCaptured events acked by the PLATES stream.");

    public static readonly Counter PlateEventsSpooled = Metrics.CreateCounter(
        "cameranet_ingest_plate_events_spooled_total", "PlateCaptured events written to the disk spool because NATS did not take them.");

    public static readonly Counter PlateEventsLost = Metrics.CreateCounter(
        "cameranet_ingest_plate_events_lost_total", "PlateCaptured events lost because the disk spool was full.");

    public static readonly Gauge PlateSpoolPending = Metrics.CreateGauge(
        "cameranet_ingest_plate_spool_pending", "PlateCaptured events in the disk spool waiting for NATS.");

    public static readonly Counter PlateReadings = Metrics.CreateCounter(
        "cameranet_ingest_plate_readings_total", "Plate readings (one plate on one frame) before tracking.", "camera");

    public static readonly Histogram RecognitionSeconds = Metrics.CreateHistogram(
        "cameranet_ingest_recognition_seconds", "Time to locate and read the plates of one frame.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.002, 2, 10) });

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
