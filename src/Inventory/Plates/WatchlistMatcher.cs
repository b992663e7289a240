using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;
using CameraNet.Messaging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CameraNet.Inventory.Plates;

/// <summary>
/// Checks every plate capture against the watchlists in force and publishes a <see cref="PlateWatchlistHit"/> on
/// <c>cameranet.alerts.{district}.{township}.{camera}</c> (stream <c>ALERTS</c>, same retention as the captures) for
/// each entry it hits. Reads captures through a durable consumer, so none is missed while the inventory restarts; the
/// hit ID (capture + entry) is the message ID, so a capture matched twice (redelivery, several inventories) alerts once.
/// The entries in force are held in memory: loaded before the first capture is read, again every few seconds (entries
/// added through another inventory) and at once when an entry is added or removed here, so a capture never waits on
/// Postgres and an outage of it leaves matching on the last list read rather than stopping the alerts.
/// </summary>
public sealed class WatchlistMatcher(IOptions<InventoryOptions> options, WatchlistStore store, ILoggerFactory loggers) : BackgroundService
{
    public const string ConsumerName = "inventory-watchlist-matcher";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggers.CreateLogger<WatchlistMatcher>();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile (WatchlistEntry Entry, PlatePattern Pattern)[] _entries = [];

    /// <summary>Reads the entries in force into memory (after an entry is added or removed, and every few seconds).</summary>
    /// <returns>False, with the reason logged, when Postgres could not be read; the last list read stays in force.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        // One load at a time, so an older read never replaces a newer one.
        await _loading.WaitAsync(cancellationToken);
        try
        {
            _entries = [.. (await store.ActiveAsync(null, cancellationToken)).Select(e => (e, PlatePattern.Parse(e.Pattern)))];
            return true;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            Log.WatchlistMatcherFailed(_logger, "reading the watchlists: " + e.Message);
            return false;
        }
        finally
        {
            _loading.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.NatsUrl))
        {
            return;
        }

        await using var nats = new NatsSettings(o.NatsUrl, o.NatsUser, o.NatsPassword, "inventory-watchlists").Connect(loggers);
        var js = new NatsJSContext(nats);
        while (!await ReloadAsync(stoppingToken))
        {
            // No capture is read before the list is: it would be checked against nothing and acknowledged.
            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
        }

        using var refreshing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var refresher = RefreshAsync(refreshing.Token);
        try
        {
            await MatchCapturesAsync(js, stoppingToken);
        }
        finally
        {
            await refreshing.CancelAsync();
            await refresher;
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Refresh);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ReloadAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task MatchCapturesAsync(NatsJSContext js, CancellationToken stoppingToken)
    {
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PlateStreams.EnsurePlatesAsync(js, o.PlateRetention, TimeSpan.FromMinutes(10), stoppingToken);
                await PlateStreams.EnsureAlertsAsync(js, o.PlateRetention, TimeSpan.FromMinutes(10), stoppingToken);
                var consumer = await js.CreateOrUpdateConsumerAsync(Subjects.PlatesStream, new ConsumerConfig(ConsumerName)
                {
                    FilterSubject = Subjects.PlatesPrefix + ".>",
                    DeliverPolicy = ConsumerConfigDeliverPolicy.New,
                    AckPolicy = ConsumerConfigAckPolicy.Explicit,
                    Description = "inventory: captures checked against watchlists",
                }, stoppingToken);
                await foreach (var message in consumer.ConsumeAsync<PlateCaptured>(cancellationToken: stoppingToken))
                {
                    if (message.Data is { } capture)
                    {
                        await MatchAsync(js, capture, stoppingToken);
                    }

                    await message.AckAsync(cancellationToken: stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                Log.WatchlistMatcherFailed(_logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task MatchAsync(NatsJSContext js, PlateCaptured capture, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (entry, pattern) in _entries)
        {
            if (!entry.Hits(capture.Plate, capture.DistrictCode, now, pattern))
            {
                continue;
            }

            var hit = new PlateWatchlistHit
            {
                HitId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{capture.CaptureId}|{entry.Id}")))[..32],
                WatchlistEntryId = entry.Id,
                Pattern = entry.Pattern,
                Reason = entry.Reason,
                Owner = entry.Owner,
                MatchedAt = now,
                Capture = capture,
            };
            var subject = Subjects.Alerts(DivisionCode.Parse(capture.DistrictCode), DivisionCode.Parse(capture.TownshipCode), GbDeviceId.Parse(capture.CameraId));
            (await js.PublishAsync(subject, hit, opts: new NatsJSPubOpts { MsgId = hit.HitId }, cancellationToken: cancellationToken)).EnsureSuccess();
            Log.WatchlistHit(_logger, entry.Id, capture.CameraId);
        }
    }
}
