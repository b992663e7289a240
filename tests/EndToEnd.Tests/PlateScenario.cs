using System.Collections.Concurrent;
using CameraNet.Cli;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.Messaging;
using CameraNet.TestKit;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CameraNet.EndToEnd.Tests;

/// <summary>
/// Checkpoint cameras of the simulator registered in full mode, an ingest worker pulling them, and a durable
/// consumer on the PLATES stream collecting this scenario's captures (other tests' cameras filtered out).
/// </summary>
internal sealed class PlateScenario : IAsyncDisposable
{
    public static readonly string[] Mounts = ["checkpoint-1", "checkpoint-2"];

    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, string> _mountByCamera;
    private Task? _consuming;

    private PlateScenario(RunDirectory run, LocalInventory inventory, LocalKeys keys, string natsUrl, Dictionary<string, string> mountByCamera)
    {
        Run = run;
        Inventory = inventory;
        Keys = keys;
        NatsUrl = natsUrl;
        _mountByCamera = mountByCamera;
    }

    public RunDirectory Run { get; }
    public LocalInventory Inventory { get; }
    public LocalKeys Keys { get; }
    public string NatsUrl { get; }
    public ChildProcess? Worker { get; private set; }

    /// <summary>Every delivery the consumer saw (redeliveries and duplicates included), in order.</summary>
    public ConcurrentQueue<PlateCaptured> Deliveries { get; } = new();

    public static async Task<PlateScenario> StartAsync(string name, PostgresFixture postgres, LocalCameraSim sim, string natsUrl, string cameraPrefix, CancellationToken ct)
    {
        var run = await TestRuns.CreateAsync(name);
        var keys = LocalKeys.Generate();
        var inventory = await LocalInventory.StartAsync(run, await postgres.CreateDatabaseAsync(name.Replace('-', '_')), keys, cancellationToken: ct);
        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await api.ImportSampleDivisionsAsync(ct);
        var cameras = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Mounts.Length; i++)
        {
            var id = $"{cameraPrefix}{i + 1:000}";
            cameras[id] = Mounts[i];
            await api.PostJsonAsync("api/cameras", new
            {
                id,
                name = $"卡口 {i + 1}",
                kind = "checkpoint",
                districtCode = "120101",
                longitude = 117.19668 + i * 0.001,
                latitude = 39.11955,
                azimuth = 180,
                fieldOfView = 40,
                range = 60,
                mainStreamUrl = sim.Url(Mounts[i]),
                decodeMode = "full",
            }, ct);
        }

        return new PlateScenario(run, inventory, keys, natsUrl, cameras);
    }

    public string MountOf(string cameraId) => _mountByCamera[cameraId];

    public ChildProcess StartWorker(string workerId, IReadOnlyDictionary<string, string?>? extra = null) =>
        Worker = LocalIngest.Start(Run, workerId, Inventory.BaseUrl, Keys.Ingest, NatsUrl, extra);

    /// <summary>Starts a worker and waits until the consumer has its first capture (both cameras pulled, reader loaded).</summary>
    public async Task<ChildProcess> StartCapturingAsync(string workerId)
    {
        var worker = StartWorker(workerId);
        await Eventually.UntilAsync(() => !Deliveries.IsEmpty || worker.HasExited, TimeSpan.FromSeconds(90), "a first capture");
        worker.HasExited.ShouldBeFalse(worker.Tail(30));
        return worker;
    }

    /// <summary>Creates the stream (as the worker would) and a durable consumer; collects this scenario's captures.</summary>
    public async Task StartConsumingAsync(string durable, CancellationToken ct)
    {
        var connection = new NatsSettings(NatsUrl, Name: durable).Connect();
        var js = new NatsJSContext(connection);
        await PlateStreams.EnsurePlatesAsync(js, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10), ct);
        var consumer = await js.CreateOrUpdateConsumerAsync(Subjects.PlatesStream, new ConsumerConfig(durable)
        {
            FilterSubject = Subjects.PlatesOf(DivisionCode.Parse("120101")),
            DeliverPolicy = ConsumerConfigDeliverPolicy.New,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
        }, ct);
        _consuming = Task.Run(async () =>
        {
            await using var owned = connection;
            try
            {
                await foreach (var message in consumer.ConsumeAsync<PlateCaptured>(cancellationToken: _stop.Token))
                {
                    if (message.Data is { } capture && _mountByCamera.ContainsKey(capture.CameraId))
                    {
                        Deliveries.Enqueue(capture);
                    }

                    await message.AckAsync(cancellationToken: _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    public IReadOnlyList<ObservedCapture> Observed() =>
        [.. Deliveries.Select(c => new ObservedCapture(MountOf(c.CameraId), c.Plate, c.FirstSeenAt, c.LastSeenAt, c.CaptureId))];

    public IReadOnlyList<ExpectedPass> Expected(LocalCameraSim sim, DateTimeOffset from, DateTimeOffset to) =>
        [.. Mounts.SelectMany(m => PassTruth.Between(sim, m, from, to)).OrderBy(p => p.Start)];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_consuming is not null)
        {
            await _consuming.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await Inventory.DisposeAsync();
        await Run.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>
/// Tests that count vehicle passes at full-mode cameras run one at a time: each decodes two 25 fps streams and reads
/// plates, and two of them side by side on a 2-core machine would measure the machine, not the system.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PlatePassCollection
{
    public const string Name = "plate passes";
}
