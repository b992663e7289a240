using System.Diagnostics;
using CameraNet.Contracts;
using CameraNet.DevStack;
using CameraNet.Ingest.Publishing;
using CameraNet.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.JetStream;

namespace CameraNet.Bench;

/// <summary>
/// Plate captures through the worker's publishing path (queue → JetStream publish with Nats-Msg-Id, ack awaited,
/// spool standing by) against a bare client loop publishing the same events to the same stream and awaiting
/// each ack, alternating rounds on one local nats-server. Target: the worker path at ≥ 0.8× the bare rate.
/// </summary>
public static class PlatePublishHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Harness.Option(args, "--count", 5000);
        var rounds = Harness.Option(args, "--rounds", 5);
        await using var run = await RunDirectory.CreateAsync(Path.GetTempPath(), "bench-plates", "plate publishing bench");
        var nats = await LocalNats.StartAsync(run);
        await using var connection = new NatsSettings(nats.Url, Name: "bench-plates").Connect();
        await connection.ConnectAsync();
        var js = new NatsJSContext(connection);
        await PlateStreams.EnsurePlatesAsync(js, TimeSpan.FromDays(30), TimeSpan.FromMinutes(10), CancellationToken.None);
        var crop = new byte[3000];
        Random.Shared.NextBytes(crop);
        var subject = Subjects.Plates(DivisionCode.Parse("120101"), DivisionCode.Parse("120101001"), GbDeviceId.Parse("12010100001210000001"));
        PlateCaptured Capture(string id) => new()
        {
            CaptureId = id,
            CameraId = "12010100001210000001",
            DistrictCode = "120101",
            TownshipCode = "120101001",
            WorkerId = "bench",
            FirstSeenAt = DateTimeOffset.UtcNow,
            LastSeenAt = DateTimeOffset.UtcNow,
            PublishedAt = DateTimeOffset.UtcNow,
            Plate = "津A12345",
            Colour = PlateColour.Blue,
            Kind = PlateKind.SmallVehicle,
            CharacterConfidence = [1, 1, 0.98, 1, 0.97, 1, 1],
            Confidence = 0.97,
            Readings = 24,
            Box = new PlateBox(600, 500, 130, 40),
            FrameWidth = 1280,
            FrameHeight = 720,
            CropJpeg = crop,
        };

        var bareRates = new List<double>();
        var workerRates = new List<double>();
        Harness.Say($"{count} PlateCaptured events (3 kB crop) per round, {rounds} rounds, each path in turn");
        for (var round = 1; round <= rounds + 1; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var ack = await js.PublishAsync(subject, Capture($"bare-{round}-{i}"), opts: new NatsJSPubOpts { MsgId = $"bare-{round}-{i}" });
                ack.EnsureSuccess();
            }

            var bare = count / clock.Elapsed.TotalSeconds;

            var publisher = new PlatePublisher(connection, new PlatePublishingOptions { WorkerId = $"bench-{round}", SpoolRoot = run.Sub($"spool-{round}") }, NullLogger.Instance);
            publisher.Start();
            clock.Restart();
            for (var i = 0; i < count; i++)
            {
                await publisher.EnqueueAsync(subject, Capture($"worker-{round}-{i}"));
            }

            while (publisher.Published < count)
            {
                await Task.Delay(1);
            }

            var worker = count / clock.Elapsed.TotalSeconds;
            await publisher.DisposeAsync();
            if (publisher.Spooled > 0)
            {
                throw new InvalidOperationException($"{publisher.Spooled} captures were spooled: NATS did not ack in time, the round does not measure the normal path");
            }

            if (round == 1)
            {
                Harness.Say($"warm-up: bare {bare:0} /s, worker path {worker:0} /s");
                continue;
            }

            bareRates.Add(bare);
            workerRates.Add(worker);
            Harness.Say($"round {round - 1}: bare {bare:0} /s, worker path {worker:0} /s, ratio {worker / bare:0.00}");
        }

        var ratios = bareRates.Zip(workerRates, (b, w) => w / b).ToList();
        Harness.Say($"median: bare {Harness.Median(bareRates):0} /s, worker path {Harness.Median(workerRates):0} /s, ratio {Harness.Median(ratios):0.00} (target ≥ 0.80)");
        return Harness.Median(ratios) >= 0.8 ? 0 : 1;
    }
}
