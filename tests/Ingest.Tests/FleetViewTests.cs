using System.Diagnostics;
using CameraNet.Contracts;
using CameraNet.Ingest.Fleet;
using CameraNet.Ingest.Publishing;
using CameraNet.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CameraNet.Ingest.Tests;

/// <summary>Who counts as a peer (real NATS heartbeats) and how rendezvous hashing splits and moves cameras.</summary>
public sealed class FleetViewTests(NatsFixture nats)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(400);

    private IngestOptions Options(string worker, string fleet, params string[] districts) => new()
    {
        WorkerId = worker,
        Fleet = fleet,
        Districts = districts,
        NatsUrl = nats.Url,
        InventoryUrl = "http://127.0.0.1:9",
        ApiKey = "unused",
        HeartbeatInterval = Interval,
    };

    private static WorkerHeartbeat Beat(IngestOptions o, bool stopping = false) => new()
    {
        WorkerId = o.WorkerId,
        SentAt = DateTimeOffset.UtcNow,
        StartedAt = DateTimeOffset.UtcNow,
        Cameras = 0,
        FramesDecoded = 0,
        FrameEventsPublished = 0,
        FrameEventsDropped = 0,
        IntervalSeconds = o.HeartbeatInterval.TotalSeconds,
        Pool = o.Pool,
        Stopping = stopping,
    };

    [Fact]
    public async Task Peers_are_the_live_workers_of_the_same_fleet_and_districts_only()
    {
        var ct = TestContext.Current.CancellationToken;
        var fleet = "fleet-" + Guid.NewGuid().ToString("N")[..8];
        var self = Options("self", fleet, "120102", "120101");
        await using var selfPublisher = new EventPublisher(Microsoft.Extensions.Options.Options.Create(self), NullLoggerFactory.Instance);
        using var view = new FleetView(selfPublisher, Microsoft.Extensions.Options.Options.Create(self), TimeProvider.System, NullLogger<FleetView>.Instance);
        await view.StartAsync(ct);

        var peer = Options("peer", fleet, "120101", "120102"); // same districts, other order: same pool
        var otherDistricts = Options("other-districts", fleet, "120103");
        var otherFleet = Options("other-fleet", "staging", "120101", "120102");
        peer.Pool.ShouldBe(self.Pool);
        await using var sender = new EventPublisher(Microsoft.Extensions.Options.Options.Create(peer), NullLoggerFactory.Instance);

        using var beating = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var beats = Task.Run(async () =>
        {
            while (!beating.IsCancellationRequested)
            {
                foreach (var o in new[] { peer, otherDistricts, otherFleet })
                {
                    await sender.PublishHeartbeatAsync(Beat(o), beating.Token);
                }

                await Task.Delay(Interval, beating.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }, ct);

        (await Eventually.TrueAsync(() => view.Live.Contains("peer"), TimeSpan.FromSeconds(10), 50)).ShouldBeTrue();
        await Task.Delay(Interval * 3, ct);
        view.Live.ShouldBe(["peer", "self"], "workers of another fleet or district list are not peers");

        // Silence: gone after 2.5 intervals, not before 2.
        await beating.CancelAsync();
        await beats;
        var silent = Stopwatch.StartNew();
        (await Eventually.TrueAsync(() => !view.Live.Contains("peer"), TimeSpan.FromSeconds(10), 50)).ShouldBeTrue();
        silent.Elapsed.ShouldBeGreaterThan(Interval * 2 - TimeSpan.FromMilliseconds(450), "a peer is not dropped before it has missed two heartbeats");
        view.Live.ShouldBe(["self"]);

        // Back, then a goodbye: gone at once.
        await sender.PublishHeartbeatAsync(Beat(peer), ct);
        (await Eventually.TrueAsync(() => view.Live.Contains("peer"), TimeSpan.FromSeconds(5), 50)).ShouldBeTrue();
        await sender.PublishHeartbeatAsync(Beat(peer, stopping: true), ct);
        (await Eventually.TrueAsync(() => !view.Live.Contains("peer"), Interval, 50)).ShouldBeTrue("a stopping worker is dropped without waiting for it to time out");

        await view.StopAsync(ct);
    }

    [Fact]
    public void Rendezvous_splits_evenly_and_only_moves_the_cameras_of_a_worker_that_leaves_or_the_ones_a_newcomer_wins()
    {
        var cameras = Enumerable.Range(0, 30_000).Select(i => $"1201{i % 16:00}00001310{i:000000}").ToArray();
        string[] three = ["w-a", "w-b", "w-c"];
        var before = cameras.ToDictionary(c => c, c => Rendezvous.Owner(c, three));
        foreach (var g in before.GroupBy(kv => kv.Value))
        {
            g.Count().ShouldBeInRange(9_000, 11_000, $"{g.Key} gets about a third");
        }

        // The order of the worker list does not matter: every worker computes the same owner.
        cameras.Take(1000).ShouldAllBe(c => Rendezvous.Owner(c, new[] { "w-c", "w-a", "w-b" }) == before[c]);

        string[] two = ["w-a", "w-c"];
        foreach (var c in cameras)
        {
            var after = Rendezvous.Owner(c, two);
            if (before[c] != "w-b")
            {
                after.ShouldBe(before[c], "a camera of a worker that stays does not move");
            }
        }

        string[] four = ["w-a", "w-b", "w-c", "w-d"];
        var moved = 0;
        foreach (var c in cameras)
        {
            var after = Rendezvous.Owner(c, four);
            if (after != before[c])
            {
                after.ShouldBe("w-d", "a join only moves cameras to the newcomer");
                moved++;
            }
        }

        moved.ShouldBeInRange(6_500, 8_500, "the newcomer takes about a quarter");
    }

    [Fact]
    public void The_pool_names_the_fleet_and_the_district_list_in_a_fixed_order()
    {
        Options("x", "prod").Pool.ShouldBe("prod/*");
        Options("x", "prod", "120104", " 120101", "120104").Pool.ShouldBe("prod/120101,120104");
    }
}
