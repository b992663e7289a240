using CameraNet.Ingest.Recognition;
using System.Collections.Concurrent;
using CameraNet.Contracts;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Pipeline;
using CameraNet.Ingest.Publishing;
using FFMpegCore;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Fleet;

/// <summary>
/// Keeps one pipeline running per camera this worker is responsible for: of the inventory's active
/// cameras, those that rendezvous hashing over the live workers gives to this one. Starts new ones,
/// stops removed or reassigned ones and restarts changed ones (a camera's version changes on every
/// edit). Reacts at once when a worker joins or goes, and otherwise re-reads the register every
/// assignment interval.
/// </summary>
public sealed class AssignmentService(
    InventoryClient inventory,
    EventPublisher publisher,
    FleetView fleet,
    IOptions<IngestOptions> options,
    DecoderLanes lanes,
    PlateServices plates,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ConcurrentDictionary<string, CameraPipeline> _pipelines = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<AssignmentService>();
    private readonly FFOptions _ffmpeg = new()
    {
        BinaryFolder = options.Value.FfmpegFolder,
        TemporaryFilesFolder = Path.GetTempPath(),
    };

    private IReadOnlyList<IngestCamera> _register = [];
    private DateTimeOffset _registerReadAt = DateTimeOffset.MinValue;

    public IReadOnlyCollection<CameraPipeline> Pipelines => [.. _pipelines.Values];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (DateTimeOffset.UtcNow - _registerReadAt >= options.Value.AssignmentInterval)
                {
                    _register = await inventory.CamerasAsync(stoppingToken);
                    _registerReadAt = DateTimeOffset.UtcNow;
                }

                if (fleet.Settled)
                {
                    var live = fleet.Live;
                    await ApplyAsync([.. _register.Where(c => Rendezvous.Owner(c.Id, live) == fleet.Self)]);
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                // Keep pulling what we have: an inventory outage must not stop the cameras.
                Log.InventoryUnavailable(_logger, e.Message);
                _registerReadAt = DateTimeOffset.UtcNow;
            }

            var wait = fleet.Settled ? options.Value.AssignmentInterval : options.Value.HeartbeatInterval * 0.25;
            try
            {
                await fleet.WaitForChangeAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ApplyAsync(IReadOnlyList<IngestCamera> cameras)
    {
        var wanted = cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var stopping = new List<CameraPipeline>();
        foreach (var (id, pipeline) in _pipelines)
        {
            if (!wanted.TryGetValue(id, out var camera) || camera.Version != pipeline.Camera.Version)
            {
                _pipelines.TryRemove(id, out _);
                stopping.Add(pipeline);
            }
        }

        // Stop before starting: a camera handed to another worker is released before anything new is pulled.
        await Task.WhenAll(stopping.Select(p => p.DisposeAsync().AsTask()));
        var started = 0;
        foreach (var camera in cameras)
        {
            if (_pipelines.ContainsKey(camera.Id))
            {
                continue;
            }

            var pipeline = new CameraPipeline(camera, options.Value, publisher, _ffmpeg, loggers.CreateLogger($"CameraNet.Ingest.Camera.{camera.Id}"), inventory.CredentialsAsync, lanes, plates);
            _pipelines[camera.Id] = pipeline;
            pipeline.Start();
            started++;
        }

        if (started + stopping.Count > 0)
        {
            Log.AssignmentChanged(_logger, _pipelines.Count, started, stopping.Count);
        }
    }

    /// <summary>Graceful stop: every camera is released, then the fleet is told, so others take over without a gap or an overlap.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Log.Releasing(_logger, _pipelines.Count);
        await Task.WhenAll(_pipelines.Values.Select(p => p.DisposeAsync().AsTask()));
        _pipelines.Clear();
        await publisher.PublishHeartbeatAsync(HeartbeatService.Create(options.Value, this, publisher, DateTimeOffset.UtcNow, stopping: true), cancellationToken);
    }
}
