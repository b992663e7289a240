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
        await api.ImportSampleDivisionsAsync(ct);

        await using var nc = nats.Connect("skeleton-test");
        // Other tests in this assembly publish frames of their own cameras in the same district on the same
        // server at the same time: listen to the district, keep only this test's camera.
        var district = DivisionCode.Parse("120101");
        var received = new TaskCompletionSource<(string Subject, FrameSampled Frame)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var subscription = Task.Run(async () =>
        {
            await foreach (var message in nc.SubscribeAsync<FrameSampled>(Subjects.FramesOf(district), cancellationToken: listening.Token))
            {
                if (message.Data?.CameraId == "12010100001210000001")
                {
                    received.TrySetResult((message.Subject, message.Data));
                }
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

    [Fact]
    public async Task A_password_protected_camera_is_pulled_with_its_stored_credentials_which_never_show_in_logs_or_events()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await TestRuns.CreateAsync("credentials");
        var keys = LocalKeys.Generate();
        var inventory = await LocalInventory.StartAsync(run, await postgres.CreateDatabaseAsync("credentials"), keys, cancellationToken: ct);
        using var api = new InventoryApi(inventory.BaseUrl, keys.Admin);
        await api.ImportSampleDivisionsAsync(ct);

        object Camera(string id, string password) => new
        {
            id,
            name = "受保护的摄像机",
            kind = "monitoringClass2",
            districtCode = "120101",
            longitude = 117.19668,
            latitude = 39.11955,
            azimuth = 90,
            fieldOfView = 60,
            range = 80,
            mainStreamUrl = sim.Url("secured"),
            decodeMode = "keyframe",
            username = CameraSimFixture.SecuredUser,
            password,
        };

        const string wrongPassword = "Wr0ng-but-secret-too";
        await api.PostJsonAsync("api/cameras", Camera("12010100001320000011", CameraSimFixture.SecuredPassword), ct);
        await api.PostJsonAsync("api/cameras", Camera("12010100001320000012", wrongPassword), ct);

        await using var nc = nats.Connect("credentials-test");
        var frames = new TaskCompletionSource<FrameSampled>(TaskCreationOptions.RunContinuationsAsynchronously);
        var authFailed = new TaskCompletionSource<CameraStatusChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        var statusText = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var listeners = new[]
        {
            Task.Run(async () =>
            {
                await foreach (var m in nc.SubscribeAsync<FrameSampled>("cameranet.frames.120101.*.12010100001320000011", cancellationToken: listening.Token))
                {
                    frames.TrySetResult(m.Data!);
                }
            }, ct),
            Task.Run(async () =>
            {
                await foreach (var m in nc.SubscribeAsync<CameraStatusChanged>("cameranet.status.camera.>", cancellationToken: listening.Token))
                {
                    statusText.Enqueue(System.Text.Json.JsonSerializer.Serialize(m.Data!, ContractsJsonContext.Default.CameraStatusChanged));
                    if (m.Data!.CameraId == "12010100001320000012" && m.Data.Current == CameraHealth.AuthFailed)
                    {
                        authFailed.TrySetResult(m.Data);
                    }
                }
            }, ct),
        };

        var worker = LocalIngest.Start(run, "credentials-worker", inventory.BaseUrl, keys.Ingest, nats.Url,
            new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Debug" });
        var both = Task.WhenAll(frames.Task, authFailed.Task);
        (await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(90), ct), worker.Exited)).ShouldBe(both, $"worker log:\n{worker.Tail(40)}");

        (await authFailed.Task).Reason.ShouldContain("401");
        await listening.CancelAsync();
        await Task.WhenAll(listeners).ContinueWith(_ => { }, TaskScheduler.Default);
        await worker.StopAsync(TimeSpan.FromSeconds(20));

        var log = await File.ReadAllTextAsync(worker.LogFile, ct);
        log.ShouldContain("12010100001320000012", customMessage: "the debug log covers the failing camera");
        foreach (var secret in new[] { CameraSimFixture.SecuredPassword, Uri.EscapeDataString(CameraSimFixture.SecuredPassword), wrongPassword })
        {
            log.ShouldNotContain(secret);
            statusText.ShouldAllBe(s => !s.Contains(secret, StringComparison.Ordinal));
        }
    }
}
