using CameraNet.Cli;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.TestKit;

[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(NatsFixture))]
[assembly: AssemblyFixture(typeof(CameraSimFixture))]

namespace CameraNet.EndToEnd.Tests;

/// <summary>The whole path, as separate processes: register through the API → worker pulls RTSP → event on NATS.</summary>
public sealed class WalkingSkeletonTests(PostgresFixture postgres, NatsFixture nats, CameraSimFixture sim)
{
    [Fact]
    public async Task A_camera_registered_through_the_api_produces_frame_events_on_its_subject()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await TestRuns.CreateAsync("skeleton");
        var keys = LocalKeys.Generate();
        var inventory = await LocalInventory.StartAsync(run, await postgres.CreateDatabaseAsync("skeleton"), keys, cancellationToken: ct);
        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        foreach (var file in new[] { "districts.geojson", "townships.geojson" })
        {
            await api.UploadFileAsync("api/divisions/import", Path.Combine(RepoPaths.Root, "data", "tianjin", file), "application/geo+json", ct);
        }

        await using var nc = nats.Connect("skeleton-test");
        var district = DivisionCode.Parse("120101");
        var received = new TaskCompletionSource<(string Subject, FrameSampled Frame)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var subscription = Task.Run(async () =>
        {
            await foreach (var message in nc.SubscribeAsync<FrameSampled>(Subjects.FramesOf(district), cancellationToken: listening.Token))
            {
                received.TrySetResult((message.Subject, message.Data!));
            }
        }, ct);

        var camera = await api.PostJsonAsync("api/cameras", new
        {
            id = "12010100001210000001",
            name = "南京路 卡口",
            kind = "checkpoint",
            districtCode = "120101",
            longitude = 117.19668,
            latitude = 39.11955,
            azimuth = 180,
            fieldOfView = 40,
            range = 60,
            mainStreamUrl = sim.Url("checkpoint-1"),
            decodeMode = "keyframe",
        }, ct);
        var township = camera["townshipCode"]!.GetValue<string>();

        var worker = LocalIngest.Start(run, "skeleton-worker", inventory.BaseUrl, keys.Ingest, nats.Url);
        var winner = await Task.WhenAny(received.Task, Task.Delay(TimeSpan.FromSeconds(60), ct), worker.Exited);
        winner.ShouldBe(received.Task, $"no frame event within 60 s; worker log:\n{worker.Tail(30)}");
        var (subject, frame) = await received.Task;

        subject.ShouldBe($"cameranet.frames.120101.{township}.12010100001210000001");
        frame.CameraId.ShouldBe("12010100001210000001");
        frame.DistrictCode.ShouldBe("120101");
        frame.TownshipCode.ShouldBe(township);
        frame.WorkerId.ShouldBe("skeleton-worker");
        frame.DecodeMode.ShouldBe(DecodeMode.Keyframe);
        (frame.Width, frame.Height).ShouldBe((640, 360));
        frame.ThumbnailJpeg.ShouldNotBeNull("the first event of a camera carries a thumbnail");
        (DateTimeOffset.UtcNow - frame.CapturedAt).ShouldBeLessThan(TimeSpan.FromSeconds(30));

        await listening.CancelAsync();
        await subscription.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
