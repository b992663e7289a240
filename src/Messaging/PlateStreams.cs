using CameraNet.Contracts;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CameraNet.Messaging;

/// <summary>The JetStream streams that hold personal data (plate captures, watchlist hits), defined in one place.</summary>
public static class PlateStreams
{
    /// <summary>
    /// Creates <c>PLATES</c> (<c>cameranet.plates.&gt;</c>, file storage, captures expire after <paramref name="retention"/>,
    /// duplicates by <c>Nats-Msg-Id</c> dropped within <paramref name="duplicateWindow"/>), or updates it to these limits.
    /// </summary>
    public static Task EnsurePlatesAsync(INatsJSContext js, TimeSpan retention, TimeSpan duplicateWindow, CancellationToken cancellationToken) =>
        EnsureAsync(js, Subjects.PlatesStream, Subjects.PlatesPrefix + ".>", retention, duplicateWindow, cancellationToken);

    /// <summary>Creates or updates <c>ALERTS</c> (<c>cameranet.alerts.&gt;</c>), with the same retention as the captures.</summary>
    public static Task EnsureAlertsAsync(INatsJSContext js, TimeSpan retention, TimeSpan duplicateWindow, CancellationToken cancellationToken) =>
        EnsureAsync(js, Subjects.AlertsStream, Subjects.AlertsPrefix + ".>", retention, duplicateWindow, cancellationToken);

    private static async Task EnsureAsync(INatsJSContext js, string name, string subject, TimeSpan retention, TimeSpan duplicateWindow, CancellationToken cancellationToken)
    {
        if (retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, "retention must be positive");
        }

        var config = new StreamConfig(name, [subject])
        {
            Storage = StreamConfigStorage.File,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.Old,
            MaxAge = retention,
            DuplicateWindow = duplicateWindow < retention ? duplicateWindow : retention,
            Description = $"CameraNet {name.ToLowerInvariant()}: personal data, kept {retention.TotalDays:0.##} days",
        };
        await js.CreateOrUpdateStreamAsync(config, cancellationToken);
    }
}
