using CameraNet.Contracts;
using CameraNet.Ingest.Publishing;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>Tells the fleet this worker is alive and what it is doing, every heartbeat interval.</summary>
public sealed class HeartbeatService(AssignmentService assignments, EventPublisher publisher, IOptions<IngestOptions> options) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
        do
        {
            var pipelines = assignments.Pipelines;
            await publisher.PublishHeartbeatAsync(new WorkerHeartbeat
            {
                WorkerId = options.Value.WorkerId,
                SentAt = DateTimeOffset.UtcNow,
                StartedAt = _startedAt,
                Cameras = pipelines.Count,
                FramesDecoded = pipelines.Sum(p => p.FramesDecoded),
                FrameEventsPublished = publisher.FrameEventsPublished,
                FrameEventsDropped = publisher.FrameEventsDropped,
                CamerasByHealth = pipelines.GroupBy(p => p.Health).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => g.Count()),
            }, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }
}
