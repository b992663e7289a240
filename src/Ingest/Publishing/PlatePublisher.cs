using System.Text.Json;
using System.Threading.Channels;
using CameraNet.Contracts;
using CameraNet.Messaging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace CameraNet.Ingest.Publishing;

/// <summary>
/// Delivers plate captures to the JetStream stream <c>PLATES</c>, at least once, in order, with the capture
/// ID as <c>Nats-Msg-Id</c> so the stream keeps exactly one copy. While NATS answers, each capture is
/// published and its ack awaited. When it does not (disconnected, no ack in time), the capture and every
/// later one go to a fsync'd local <see cref="PlateSpool"/>, which is drained in order once NATS is back
/// (also after a restart of the worker: a spool left by a dead worker is adopted and drained). Frame events
/// stay lossy; plate captures are never dropped unless the spool is full (counted and logged).
/// </summary>
public sealed class PlatePublisher : IAsyncDisposable
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(3);
    private readonly NatsConnection _nats;
    private readonly NatsJSContext _js;
    private readonly PlatePublishingOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<(string Subject, PlateCaptured Capture)> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PlateSpool> _adopted = [];
    private PlateSpool? _spool;
    private Task? _loop;
    private bool _streamReady;
    private long _published;
    private long _duplicates;
    private long _spooled;
    private long _lost;

    public PlatePublisher(NatsConnection nats, PlatePublishingOptions options, ILogger logger)
    {
        _nats = nats;
        _js = new NatsJSContext(nats);
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<(string, PlateCaptured)>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    }

    /// <summary>Acked by the stream as new messages.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Acked as duplicates (sent before, e.g. by a worker that died before it knew it had).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Written to the disk spool because NATS did not take them in time.</summary>
    public long Spooled => Interlocked.Read(ref _spooled);

    /// <summary>Lost because the spool was full.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Events in the spools (own and adopted) waiting for NATS.</summary>
    public long SpoolPending { get; private set; }

    /// <summary>Opens the spool (and any left by dead workers) and starts delivering.</summary>
    public void Start()
    {
        Directory.CreateDirectory(_options.SpoolRoot);
        var own = Path.Combine(_options.SpoolRoot, _options.WorkerId);
        _spool = PlateSpool.TryOpen(own) ?? throw new InvalidOperationException($"the spool {own} is in use by another process: give each worker its own Ingest:WorkerId");
        foreach (var directory in Directory.EnumerateDirectories(_options.SpoolRoot).Order(StringComparer.Ordinal))
        {
            if (directory != own && PlateSpool.TryOpen(directory) is { } orphan)
            {
                Log.SpoolAdopted(_logger, directory, orphan.Count);
                _adopted.Add(orphan);
            }
        }

        UpdatePending();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a capture for delivery. Waits only if the in-memory queue is full (thousands behind).</summary>
    public ValueTask EnqueueAsync(string subject, PlateCaptured capture, CancellationToken cancellationToken = default) =>
        _queue.Writer.WriteAsync((subject, capture), cancellationToken);

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (true)
        {
            // Spooled events go first, so delivery stays in capture order.
            if (SpoolPending > 0 && !await DrainSpoolsAsync())
            {
                // NATS still away: keep spooling new captures, retry in a moment.
                if (_stop.IsCancellationRequested)
                {
                    await MoveQueueToSpoolAsync(TimeSpan.Zero);
                    return; // the next start drains the spool
                }

                await MoveQueueToSpoolAsync(TimeSpan.FromSeconds(1));

                continue;
            }

            if (!await reader.WaitToReadAsync(CancellationToken.None))
            {
                return;
            }

            while (SpoolPending == 0 && reader.TryRead(out var item))
            {
                var message = Message(item.Subject, item.Capture);
                if (!await TryPublishAsync(message))
                {
                    Spool(message);
                }
            }
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> for captures and spools whatever is queued.</summary>
    private async Task MoveQueueToSpoolAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _queue.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        while (_queue.Reader.TryRead(out var item))
        {
            Spool(Message(item.Subject, item.Capture));
        }
    }

    private static SpooledEvent Message(string subject, PlateCaptured capture) =>
        new(subject, capture.CaptureId, JsonSerializer.SerializeToUtf8Bytes(capture, ContractsJsonContext.Default.PlateCaptured));

    private void Spool(SpooledEvent message)
    {
        if (_spool!.Append(message, _options.SpoolMaxBytes))
        {
            Interlocked.Increment(ref _spooled);
            IngestMetrics.PlateEventsSpooled.Inc();
            Log.PlateSpooled(_logger, message.MessageId, _spool.Count);
        }
        else
        {
            Interlocked.Increment(ref _lost);
            IngestMetrics.PlateEventsLost.Inc();
            Log.SpoolFull(_logger, message.MessageId, _options.SpoolMaxBytes);
        }

        UpdatePending();
    }

    /// <summary>Publishes spooled events oldest first; false when NATS stopped taking them.</summary>
    private async Task<bool> DrainSpoolsAsync()
    {
        foreach (var spool in _adopted.Append(_spool!).ToList())
        {
            while (spool.Peek() is { } message)
            {
                if (!await TryPublishAsync(message))
                {
                    return false;
                }

                spool.Consume();
                UpdatePending();
                if (spool.IsEmpty)
                {
                    Log.SpoolDelivered(_logger, spool.Directory);
                }
            }

            if (spool != _spool)
            {
                _adopted.Remove(spool);
                spool.Dispose();
                Directory.Delete(spool.Directory, recursive: true);
                Log.SpoolDrained(_logger, spool.Directory);
            }
        }

        return true;
    }

    private void UpdatePending()
    {
        SpoolPending = (_spool?.Count ?? 0) + _adopted.Sum(s => s.Count);
        IngestMetrics.PlateSpoolPending.Set(SpoolPending);
    }

    private async Task<bool> TryPublishAsync(SpooledEvent message)
    {
        if (_nats.ConnectionState != NatsConnectionState.Open && _nats.ConnectionState != NatsConnectionState.Connecting)
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(AckTimeout);
        try
        {
            if (!_streamReady)
            {
                await EnsureStreamAsync(timeout.Token);
                _streamReady = true;
            }

            var ack = await _js.PublishAsync(
                message.Subject, message.Body, NatsRawSerializer<byte[]>.Default,
                new NatsJSPubOpts { MsgId = message.MessageId }, cancellationToken: timeout.Token);
            // A duplicate is stored already (sent before, its ack lost): delivered. EnsureSuccess throws
            // on duplicates too, so it is asked only about real errors.
            if (ack.Error is null && ack.Duplicate)
            {
                Interlocked.Increment(ref _duplicates);
                return true;
            }

            ack.EnsureSuccess();
            Interlocked.Increment(ref _published);
            IngestMetrics.PlateEventsPublished.Inc();
            return true;
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            Log.PlatePublishFailed(_logger, message.MessageId, e.Message);
            return false;
        }
    }

    /// <summary>Creates the stream, or brings its retention and duplicate window to the configured values.</summary>
    private Task EnsureStreamAsync(CancellationToken cancellationToken) =>
        PlateStreams.EnsurePlatesAsync(_js, _options.Retention, _options.DuplicateWindow, cancellationToken);

    /// <summary>Delivers what is queued (spooling what NATS does not take within a few seconds), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            if (!_loop.IsCompleted)
            {
                // NATS is away: what is still queued goes to the spool, which the next start drains.
                while (_queue.Reader.TryRead(out var item))
                {
                    Spool(Message(item.Subject, item.Capture));
                }
            }
        }

        if (_loop is null || _loop.IsCompleted)
        {
            _spool?.Dispose();
            foreach (var spool in _adopted)
            {
                spool.Dispose();
            }
        }

        _stop.Dispose();
    }
}

/// <summary>Settings of <see cref="PlatePublisher"/>.</summary>
public sealed record PlatePublishingOptions
{
    public required string WorkerId { get; init; }

    /// <summary>Folder with one spool per worker (the worker's own and any left by dead ones).</summary>
    public required string SpoolRoot { get; init; }

    public long SpoolMaxBytes { get; init; } = 512L * 1024 * 1024;
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);
    public int QueueCapacity { get; init; } = 10_000;
}
