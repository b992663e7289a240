using CameraNet.Contracts;

namespace CameraNet.Ingest;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Camera {CameraId}: {Previous} -> {Current} ({Reason})")]
    public static partial void HealthChanged(ILogger logger, string cameraId, CameraHealth previous, CameraHealth current, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Assignment: {Count} camera(s); started {Started}, stopped {Stopped}")]
    public static partial void AssignmentChanged(ILogger logger, int count, int started, int stopped);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Cannot fetch cameras from the inventory: {Reason}")]
    public static partial void InventoryUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Camera {CameraId} ffmpeg: {Line}")]
    public static partial void FfmpegSaid(ILogger logger, string cameraId, string line);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Camera {CameraId}: retrying in {Delay:0.0} s after {Failures} failure(s)")]
    public static partial void Backoff(ILogger logger, string cameraId, double delay, int failures);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Publishing to NATS failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Worker {WorkerId} started: inventory {Inventory}, NATS {Nats}")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string inventory, string nats);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Camera {CameraId}: cannot get its credentials from the inventory: {Reason}")]
    public static partial void CredentialsUnavailable(ILogger logger, string cameraId, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Camera {CameraId}: {Reason}; reading it through ffmpeg")]
    public static partial void ThroughFfmpeg(ILogger logger, string cameraId, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Fleet: {Count} live worker(s): {Workers}")]
    public static partial void FleetChanged(ILogger logger, int count, string workers);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Stopping: releasing {Count} camera(s)")]
    public static partial void Releasing(ILogger logger, int count);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Camera {CameraId}: pipeline failed")]
    public static partial void PipelineFailed(ILogger logger, string cameraId, Exception exception);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Plate capture {CaptureId} not delivered yet ({Reason}): spooled to disk")]
    public static partial void PlatePublishFailed(ILogger logger, string captureId, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Plate spool full ({MaxBytes} bytes): capture {CaptureId} is lost")]
    public static partial void SpoolFull(ILogger logger, string captureId, long maxBytes);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Adopted the spool {Directory} of a stopped worker: {Count} capture(s) to deliver")]
    public static partial void SpoolAdopted(ILogger logger, string directory, long count);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Delivered and removed the adopted spool {Directory}")]
    public static partial void SpoolDrained(ILogger logger, string directory);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Camera {CameraId}: plate {Plate} captured ({Readings} readings, confidence {Confidence:0.00})")]
    public static partial void PlateCaptured(ILogger logger, string cameraId, string plate, int readings, double confidence);

    [LoggerMessage(EventId = 25, Level = LogLevel.Error, Message = "Camera {CameraId}: plate recognition failed")]
    public static partial void RecognitionFailed(ILogger logger, string cameraId, Exception exception);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Plate capture {CaptureId} spooled to disk until NATS takes it ({Pending} waiting)")]
    public static partial void PlateSpooled(ILogger logger, string captureId, long pending);

    [LoggerMessage(EventId = 27, Level = LogLevel.Information, Message = "Spool {Directory}: every spooled capture delivered")]
    public static partial void SpoolDelivered(ILogger logger, string directory);
}
