using CameraNet.Contracts;
using CameraNet.Messaging;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CameraNet.Inventory.Coverage;

/// <summary>Builds the coverage model at start-up, follows the register every few seconds, and keeps a daily snapshot per division.</summary>
public sealed class CoverageService(CoverageEngine engine, NpgsqlDataSource db, TimeProvider clock, ILogger<CoverageService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan SnapshotInterval = TimeSpan.FromHours(1);

    /// <summary>Days of the coverage history are Beijing days (UTC+8 all year: China has no daylight saving).</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(ChinaStandardTime).DateTime);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSnapshot = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await engine.SyncAsync(stoppingToken);
                if (clock.GetUtcNow() >= nextSnapshot)
                {
                    await SnapshotAsync(stoppingToken);
                    nextSnapshot = clock.GetUtcNow() + SnapshotInterval;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                Log.CoverageSyncFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    /// <summary>Today's figures for every division (the last snapshot of a day stands for the day).</summary>
    public async Task SnapshotAsync(CancellationToken cancellationToken)
    {
        var report = await engine.ReportAsync(null, null, cancellationToken);
        var day = Today(clock);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var row in report.Divisions)
        {
            await connection.ExecuteAsync(new CommandDefinition(CoverageSql.SaveSnapshot, new
            {
                day,
                code = row.Code,
                cameras = row.Cameras,
                online = row.Online,
                coveragePct = row.CoveragePct,
                effectivePct = row.EffectiveCoveragePct,
            }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>Stores the camera health ingest workers publish, so reports can count cameras online now.</summary>
public sealed class CameraStatusListener(IOptions<InventoryOptions> options, NpgsqlDataSource db, ILoggerFactory loggers) : BackgroundService
{
    private const string Upsert = """
        INSERT INTO camera_status (camera_id, health, reason, worker_id, last_frame_at, changed_at, received_at)
        VALUES (@cameraId, @health, @reason, @workerId, @lastFrameAt, @changedAt, now())
        ON CONFLICT (camera_id) DO UPDATE
           SET health = excluded.health, reason = excluded.reason, worker_id = excluded.worker_id,
               last_frame_at = excluded.last_frame_at, changed_at = excluded.changed_at, received_at = now()
         WHERE camera_status.changed_at <= excluded.changed_at
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.NatsUrl))
        {
            return;
        }

        var logger = loggers.CreateLogger<CameraStatusListener>();
        await using var nats = new NatsSettings(o.NatsUrl, o.NatsUser, o.NatsPassword, "inventory-status").Connect(loggers);
        try
        {
            await foreach (var message in nats.SubscribeAsync<CameraStatusChanged>(Subjects.StatusPrefix + ".camera.>", cancellationToken: stoppingToken))
            {
                if (message.Data is not { } status)
                {
                    continue;
                }

                try
                {
                    await using var connection = await db.OpenConnectionAsync(stoppingToken);
                    await connection.ExecuteAsync(new CommandDefinition(Upsert, new
                    {
                        cameraId = status.CameraId,
                        health = Data.Db.Text(status.Current),
                        reason = status.Reason,
                        workerId = status.WorkerId,
                        lastFrameAt = status.LastFrameAt,
                        changedAt = status.ChangedAt,
                    }, cancellationToken: stoppingToken));
                }
                catch (NpgsqlException e)
                {
                    Log.StatusNotStored(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
