using System.Collections.Concurrent;
using CameraNet.Contracts;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Pipeline;
using CameraNet.Ingest.Publishing;
using FFMpegCore;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>
/// Keeps one pipeline running per camera this worker is responsible for: starts new ones, stops
/// removed ones and restarts changed ones (a camera's version changes on every edit).
/// </summary>
public sealed class AssignmentService(
    InventoryClient inventory,
    EventPublisher publisher,
    IOptions<IngestOptions> options,
    DecoderLanes lanes,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ConcurrentDictionary<string, CameraPipeline> _pipelines = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<AssignmentService>();
    private readonly FFOptions _ffmpeg = new()
    {
        BinaryFolder = options.Value.FfmpegFolder,
        TemporaryFilesFolder = Path.GetTempPath(),
    };

    public IReadOnlyCollection<CameraPipeline> Pipelines => [.. _pipelines.Values];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AssignmentInterval);
        do
        {
            try
            {
                await ApplyAsync(await inventory.CamerasAsync(stoppingToken));
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                // Keep pulling what we have: an inventory outage must not stop the cameras.
                Log.InventoryUnavailable(_logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    private async Task ApplyAsync(IReadOnlyList<IngestCamera> cameras)
    {
        var wanted = cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var stopped = 0;
        foreach (var (id, pipeline) in _pipelines)
        {
            if (!wanted.TryGetValue(id, out var camera) || camera.Version != pipeline.Camera.Version)
            {
                _pipelines.TryRemove(id, out _);
                await pipeline.DisposeAsync();
                stopped++;
            }
        }

        var started = 0;
        foreach (var camera in cameras)
        {
            if (_pipelines.ContainsKey(camera.Id))
            {
                continue;
            }

            var pipeline = new CameraPipeline(camera, options.Value, publisher, _ffmpeg, loggers.CreateLogger($"CameraNet.Ingest.Camera.{camera.Id}"), inventory.CredentialsAsync, lanes);
            _pipelines[camera.Id] = pipeline;
            pipeline.Start();
            started++;
        }

        if (started + stopped > 0)
        {
            Log.AssignmentChanged(_logger, _pipelines.Count, started, stopped);
        }

        foreach (var health in Enum.GetValues<CameraHealth>())
        {
            IngestMetrics.CamerasByHealth.WithLabels(health.ToString().ToLowerInvariant()).Set(_pipelines.Values.Count(p => p.Health == health));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_pipelines.Values.Select(p => p.DisposeAsync().AsTask()));
        _pipelines.Clear();
    }
}
