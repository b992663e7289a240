namespace CameraNet.Inventory;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Camera {CameraId} registered in {District}/{Township} by {User}")]
    public static partial void CameraRegistered(ILogger logger, string cameraId, string district, string township, string user);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Database schema is up to date")]
    public static partial void MigrationsApplied(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Database not reachable yet (attempt {Attempt}): {Reason}")]
    public static partial void DatabaseNotReady(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Rejected request body: {Reason}")]
    public static partial void BadRequestBody(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Coverage model built: {Cameras} cameras, {Divisions} divisions in {Seconds:0.00} s ({Cells} cells)")]
    public static partial void CoverageBuilt(ILogger logger, int cameras, int divisions, double seconds, long cells);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Coverage update failed: {Reason}")]
    public static partial void CoverageSyncFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Camera status from NATS not stored: {Reason}")]
    public static partial void StatusNotStored(ILogger logger, string reason);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Watchlist matching interrupted: {Reason}; retrying")]
    public static partial void WatchlistMatcherFailed(ILogger logger, string reason);

    // The plate is personal data: the log names the entry and the camera, not the plate.
    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Watchlist entry {EntryId} hit at camera {CameraId}")]
    public static partial void WatchlistHit(ILogger logger, long entryId, string cameraId);
}
