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
/// </summary>
public sealed class WatchlistMatcher(IOptions<InventoryOptions> options, WatchlistStore store, ILoggerFactory loggers) : BackgroundService
{
    public const string ConsumerName = "inventory-watchlist-matcher";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggers.CreateLogger<WatchlistMatcher>();
    private volatile (WatchlistEntry Entry, PlatePattern Pattern)[] _entries = [];
    private long _loadedTicks;

    /// <summary>Makes the next capture re-read the watchlists (called after an entry is added or removed).</summary>
    public void Invalidate() => Interlocked.Exchange(ref _loadedTicks, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.NatsUrl))
        {
            return;
        }

        await using var nats = new NatsSettings(o.NatsUrl, o.NatsUser, o.NatsPassword, "inventory-watchlists").Connect(loggers);
        var js = new NatsJSContext(nats);
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
            catch (Exception e) when (e is NatsException or Npgsql.NpgsqlException or TimeoutException)
            {
                Log.WatchlistMatcherFailed(_logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task MatchAsync(NatsJSContext js, PlateCaptured capture, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (Environment.TickCount64 - Interlocked.Read(ref _loadedTicks) > Refresh.TotalMilliseconds)
        {
            _entries = [.. (await store.ActiveAsync(null, cancellationToken)).Select(e => (e, PlatePattern.Parse(e.Pattern)))];
            Interlocked.Exchange(ref _loadedTicks, Environment.TickCount64);
        }

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
