using System.Collections.Concurrent;
using CameraNet.Contracts;
using CameraNet.Ingest.Publishing;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>
/// Which ingest workers are alive, from their heartbeats on NATS (this worker counts itself). A worker
/// is gone when it says it is stopping, or after 2.5 of its heartbeat intervals without one, so its
/// cameras are taken over within three intervals of its last sign of life. Peers are the workers of the
/// same pool (fleet name and districts): a worker pulling another district list is not a peer.
/// </summary>
public sealed class FleetView(EventPublisher publisher, IOptions<IngestOptions> options, TimeProvider clock, ILogger<FleetView> logger) : BackgroundService
{
    public const double MissedHeartbeats = 2.5;

    private readonly ConcurrentDictionary<string, (DateTimeOffset Seen, TimeSpan Interval)> _peers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Lock _gate = new();
    private string[] _live = [options.Value.WorkerId];
    private DateTimeOffset _startedAt = clock.GetUtcNow();

    public string Self => options.Value.WorkerId;

    /// <summary>Only heartbeats of this pool count: see <see cref="IngestOptions.Pool"/>.</summary>
    public string Pool { get; } = options.Value.Pool;

    /// <summary>Live workers, sorted; always includes this one.</summary>
    public IReadOnlyList<string> Live => Volatile.Read(ref _live);

    /// <summary>
    /// True once this worker has listened for one heartbeat interval: before that it does not know its
    /// peers, and taking cameras would only mean pulling some twice and handing them back.
    /// </summary>
    public bool Settled => clock.GetUtcNow() - _startedAt >= options.Value.HeartbeatInterval * 1.2;

    /// <summary>Waits until the set of live workers changes (or the timeout passes).</summary>
    public async Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _changed.WaitAsync(timeout, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _startedAt = clock.GetUtcNow();
        var expiry = Task.Run(() => ExpireLoopAsync(stoppingToken), stoppingToken);
        try
        {
            await foreach (var message in publisher.Connection.SubscribeAsync<WorkerHeartbeat>(Subjects.StatusPrefix + ".worker.*", cancellationToken: stoppingToken))
            {
                if (message.Data is not { } beat || beat.WorkerId == Self || beat.Pool != Pool)
                {
                    continue;
                }

                if (beat.Stopping)
                {
                    _peers.TryRemove(beat.WorkerId, out _);
                }
                else
                {
                    var interval = beat.IntervalSeconds > 0 ? TimeSpan.FromSeconds(beat.IntervalSeconds) : options.Value.HeartbeatInterval;
                    _peers[beat.WorkerId] = (clock.GetUtcNow(), interval);
                }

                Recompute();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await expiry.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ExpireLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(100, options.Value.HeartbeatInterval.TotalMilliseconds / 4)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Recompute();
        }
    }

    private void Recompute()
    {
        lock (_gate)
        {
            RecomputeLocked();
        }
    }

    private void RecomputeLocked()
    {
        var now = clock.GetUtcNow();
        foreach (var (worker, (seen, interval)) in _peers)
        {
            if (now - seen > interval * MissedHeartbeats)
            {
                _peers.TryRemove(worker, out _);
            }
        }

        var live = _peers.Keys.Append(Self).Order(StringComparer.Ordinal).ToArray();
        if (!live.SequenceEqual(Volatile.Read(ref _live)))
        {
            Log.FleetChanged(logger, live.Length, string.Join(", ", live));
            Volatile.Write(ref _live, live);
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
    }
}
