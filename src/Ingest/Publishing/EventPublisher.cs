using System.Threading.Channels;
using CameraNet.Contracts;
using CameraNet.Messaging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace CameraNet.Ingest.Publishing;

/// <summary>
/// Sends the worker's events to NATS. Frame events are lossy by design: they wait in a bounded
/// queue and are dropped (and counted) when it is full or NATS is away, so a slow or absent broker
/// never holds up decoding. Status changes and heartbeats are rare and sent directly.
/// </summary>
public sealed class EventPublisher : IAsyncDisposable
{
    private readonly NatsConnection _nats;
    private readonly ILogger<EventPublisher> _logger;
    private readonly Channel<(string Subject, FrameSampled Event)> _frames;
    private readonly Task _pump;
    private long _published;
    private long _dropped;

    public EventPublisher(IOptions<IngestOptions> options, ILoggerFactory loggers)
    {
        var o = options.Value;
        _logger = loggers.CreateLogger<EventPublisher>();
        _nats = new NatsSettings(o.NatsUrl, o.NatsUser, o.NatsPassword, $"ingest-{o.WorkerId}").Connect(loggers);
        _frames = Channel.CreateBounded<(string, FrameSampled)>(
            new BoundedChannelOptions(o.FrameEventQueue) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => CountDropped());
        _pump = Task.Run(PumpFramesAsync);
    }

    public NatsConnection Connection => _nats;
    public long FrameEventsPublished => Interlocked.Read(ref _published);
    public long FrameEventsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a frame event; never waits.</summary>
    public void PublishFrame(string subject, FrameSampled frame) => _frames.Writer.TryWrite((subject, frame));

    public async Task PublishStatusAsync(string subject, CameraStatusChanged status, CancellationToken cancellationToken)
    {
        try
        {
            await _nats.PublishAsync(subject, status, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(_logger, e.Message);
        }
    }

    public async Task PublishHeartbeatAsync(WorkerHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            await _nats.PublishAsync(Subjects.WorkerHeartbeat(heartbeat.WorkerId), heartbeat, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(_logger, e.Message);
        }
    }

    private async Task PumpFramesAsync()
    {
        await foreach (var (subject, frame) in _frames.Reader.ReadAllAsync())
        {
            if (_nats.ConnectionState != NatsConnectionState.Open)
            {
                CountDropped();
                continue;
            }

            try
            {
                await _nats.PublishAsync(subject, frame);
                Interlocked.Increment(ref _published);
                IngestMetrics.FrameEventsPublished.Inc();
            }
            catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException)
            {
                CountDropped();
            }
        }
    }

    private void CountDropped()
    {
        Interlocked.Increment(ref _dropped);
        IngestMetrics.FrameEventsDropped.Inc();
    }

    /// <summary>Sends what is queued (up to a few seconds' worth), then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _frames.Writer.TryComplete();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _nats.DisposeAsync();
    }
}
