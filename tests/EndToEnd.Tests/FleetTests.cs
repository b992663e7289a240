using System.Collections.Concurrent;
using System.Diagnostics;
using CameraNet.Cli;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.TestKit;

namespace CameraNet.EndToEnd.Tests;

/// <summary>Several ingest workers as separate processes: cameras split by rendezvous hashing, taken over when a worker goes.</summary>
public sealed class FleetTests(PostgresFixture postgres, NatsFixture nats, CameraSimFixture sim)
{
    private const int Cameras = 8;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> WorkerSettings = new()
    {
        ["Ingest__HeartbeatInterval"] = "00:00:01",
        ["Ingest__AssignmentInterval"] = "00:00:02",
    };

    /// <summary>Who sent each camera's frame events, with when.</summary>
    private sealed class Watch
    {
        /// <summary>This test's cameras; other tests on the same NATS server publish their own cameras' frames meanwhile.</summary>
        public required IReadOnlySet<string> Cameras { get; init; }

        public ConcurrentQueue<(DateTimeOffset At, string Camera, string Worker)> Events { get; } = new();

        public Dictionary<string, HashSet<string>> WorkersPerCamera(DateTimeOffset from) =>
            Events.Where(e => e.At >= from).GroupBy(e => e.Camera).ToDictionary(g => g.Key, g => g.Select(e => e.Worker).ToHashSet());
    }

    [Fact]
    public async Task Workers_split_the_cameras_without_pulling_any_twice_and_take_over_from_one_that_stops_or_dies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await TestRuns.CreateAsync("fleet");
        var keys = LocalKeys.Generate();
        await using var inventory = await LocalInventory.StartAsync(run, await postgres.CreateDatabaseAsync("fleet"), keys, cancellationToken: ct);
        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await api.ImportSampleDivisionsAsync(ct);

        var mounts = new[] { "street-1", "street-2", "checkpoint-1", "checkpoint-2" };
        for (var i = 0; i < Cameras; i++)
        {
            await api.PostJsonAsync("api/cameras", new
            {
                id = $"1201010000131000{i + 1:0000}",
                name = $"和平 {i + 1}",
                kind = "monitoringClass2",
                districtCode = "120101",
                longitude = 117.19668 + i * 0.0005,
                latitude = 39.11955,
                azimuth = 90,
                fieldOfView = 60,
                range = 50,
                mainStreamUrl = sim.Url(mounts[i % mounts.Length]),
                decodeMode = "keyframe",
            }, ct);
        }

        var watch = new Watch { Cameras = Enumerable.Range(1, Cameras).Select(i => $"1201010000131000{i:0000}").ToHashSet() };
        await using var nc = nats.Connect("fleet-test");
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var subscription = Task.Run(async () =>
        {
            await foreach (var message in nc.SubscribeAsync<FrameSampled>(Subjects.FramesOf(), cancellationToken: listening.Token))
            {
                if (watch.Cameras.Contains(message.Data!.CameraId))
                {
                    watch.Events.Enqueue((DateTimeOffset.UtcNow, message.Data.CameraId, message.Data.WorkerId));
                }
            }
        }, ct);

        var a = LocalIngest.Start(run, "worker-a", inventory.BaseUrl, keys.Ingest, nats.Url, WorkerSettings);
        var b = LocalIngest.Start(run, "worker-b", inventory.BaseUrl, keys.Ingest, nats.Url, WorkerSettings);
        string Logs() => $"worker-a:\n{a.Tail(20)}\nworker-b:\n{b.Tail(20)}";

        // Both workers settle; then, over a steady window, every camera is pulled by exactly one of them.
        (await Eventually.TrueAsync(() => watch.WorkersPerCamera(DateTimeOffset.MinValue).Count == Cameras, TimeSpan.FromSeconds(45))).ShouldBeTrue(Logs());
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var windowStart = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(8), ct);
        var split = watch.WorkersPerCamera(windowStart);
        split.Count.ShouldBe(Cameras, Logs());
        split.Values.ShouldAllBe(w => w.Count == 1, "no camera is pulled by two workers");
        var byWorker = split.GroupBy(kv => kv.Value.Single()).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToList());
        byWorker.Keys.ShouldBe(["worker-a", "worker-b"], ignoreOrder: true, "both workers have cameras");

        // A stops gracefully (SIGTERM): it releases its cameras and says so; B has them all within 3 heartbeat intervals.
        var stopped = Stopwatch.StartNew();
        await a.StopAsync(TimeSpan.FromSeconds(20));
        a.ExitCode.ShouldBe(0, Logs());
        var afterStop = DateTimeOffset.UtcNow;
        (await Eventually.TrueAsync(() => byWorker["worker-a"].All(c => watch.WorkersPerCamera(afterStop).GetValueOrDefault(c)?.Contains("worker-b") == true), TimeSpan.FromSeconds(30)))
            .ShouldBeTrue(Logs());
        var takeover = stopped.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"graceful stop: cameras taken over after {takeover.TotalSeconds:0.0} s");
        takeover.ShouldBeLessThan(Heartbeat * 3 + TimeSpan.FromSeconds(2), "taken over within three heartbeat intervals (plus the first key frame)");

        // C joins and takes its share from B; then C dies (SIGKILL, no goodbye): B takes its cameras back in time.
        var c = LocalIngest.Start(run, "worker-c", inventory.BaseUrl, keys.Ingest, nats.Url, WorkerSettings);
        var joined = DateTimeOffset.UtcNow;
        (await Eventually.TrueAsync(() => watch.Events.Any(e => e.At >= joined && e.Worker == "worker-c"), TimeSpan.FromSeconds(30))).ShouldBeTrue(c.Tail(20));
        await Task.Delay(TimeSpan.FromSeconds(4), ct);
        var shared = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        var withC = watch.WorkersPerCamera(shared);
        withC.Values.ShouldAllBe(w => w.Count == 1, "after a join, still no camera pulled twice");
        var cCameras = withC.Where(kv => kv.Value.Contains("worker-c")).Select(kv => kv.Key).ToList();
        cCameras.ShouldNotBeEmpty();

        var killed = Stopwatch.StartNew();
        await c.KillAsync();
        var afterKill = DateTimeOffset.UtcNow;
        (await Eventually.TrueAsync(() => cCameras.All(cam => watch.WorkersPerCamera(afterKill).GetValueOrDefault(cam)?.Contains("worker-b") == true), TimeSpan.FromSeconds(30)))
            .ShouldBeTrue(b.Tail(20));
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGKILL: cameras taken over after {killed.Elapsed.TotalSeconds:0.0} s");
        killed.Elapsed.ShouldBeLessThan(Heartbeat * 3 + TimeSpan.FromSeconds(2), "a dead worker's cameras are taken over within three heartbeat intervals");

        await b.StopAsync(TimeSpan.FromSeconds(20));
        await listening.CancelAsync();
        await subscription.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
