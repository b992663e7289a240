using CameraNet.Contracts;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Publishing;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>Tells the fleet this worker is alive and what it is doing, every heartbeat interval.</summary>
public sealed class HeartbeatService(AssignmentService assignments, EventPublisher publisher, DecoderLanes lanes, IOptions<IngestOptions> options) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Dictionary<string, (long Frames, long Ticks)> _lastCounts = new(StringComparer.Ordinal);

    public static WorkerHeartbeat Create(IngestOptions options, AssignmentService assignments, EventPublisher publisher, DateTimeOffset startedAt, bool stopping = false)
    {
        var pipelines = assignments.Pipelines;
        return new WorkerHeartbeat
        {
            WorkerId = options.WorkerId,
            SentAt = DateTimeOffset.UtcNow,
            StartedAt = startedAt,
            Cameras = pipelines.Count,
            FramesDecoded = pipelines.Sum(p => p.FramesDecoded),
            FrameEventsPublished = publisher.FrameEventsPublished,
            FrameEventsDropped = publisher.FrameEventsDropped,
            CamerasByHealth = pipelines.GroupBy(p => p.Health).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => g.Count()),
            IntervalSeconds = options.HeartbeatInterval.TotalSeconds,
            Pool = options.Pool,
            Stopping = stopping,
        };
    }

    /// <summary>The gauges Prometheus scrapes: per-camera frame rate, cameras by health, CPU and memory.</summary>
    private void UpdateMetrics()
    {
        var now = Environment.TickCount64;
        var pipelines = assignments.Pipelines;
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pipeline in pipelines)
        {
            var id = pipeline.Camera.Id;
            current.Add(id);
            var frames = pipeline.FramesDecoded;
            if (_lastCounts.TryGetValue(id, out var last) && now > last.Ticks)
            {
                IngestMetrics.CameraFps.WithLabels(id).Set((frames - last.Frames) * 1000.0 / (now - last.Ticks));
            }

            _lastCounts[id] = (frames, now);
        }

        foreach (var gone in _lastCounts.Keys.Where(k => !current.Contains(k)).ToList())
        {
            _lastCounts.Remove(gone);
            IngestMetrics.CameraFps.RemoveLabelled(gone);
        }

        foreach (var health in Enum.GetValues<CameraHealth>())
        {
            IngestMetrics.CamerasByHealth.WithLabels(health.ToString().ToLowerInvariant()).Set(pipelines.Count(p => p.Health == health));
        }

        var usage = WorkerResources.Read();
        IngestMetrics.CpuSeconds.WithLabels("worker").Set(usage.WorkerCpuSeconds);
        IngestMetrics.CpuSeconds.WithLabels("ffmpeg").Set(usage.ChildCpuSeconds);
        IngestMetrics.MemoryPss.WithLabels("worker").Set(usage.WorkerPssBytes);
        IngestMetrics.MemoryPss.WithLabels("ffmpeg").Set(usage.ChildPssBytes);
        IngestMetrics.KeyframesDecoded.Set(lanes.Decoded);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
        do
        {
            await publisher.PublishHeartbeatAsync(Create(options.Value, assignments, publisher, _startedAt), stoppingToken);
            UpdateMetrics();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }
}
