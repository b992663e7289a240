using CameraNet.Contracts;
using CameraNet.Ingest.Publishing;
using CameraNet.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CameraNet.Ingest.Tests;

/// <summary>The plate publisher against a real JetStream stream.</summary>
public sealed class PlatePublisherTests(NatsFixture nats)
{
    private static readonly string Subject = Subjects.Plates(DivisionCode.Parse("120101"), DivisionCode.Parse("120101001"), GbDeviceId.Parse("12010100001210000001"));

    private static PlateCaptured Capture(string id) => new()
    {
        CaptureId = id,
        CameraId = "12010100001210000001",
        DistrictCode = "120101",
        TownshipCode = "120101001",
        WorkerId = "publisher-test",
        FirstSeenAt = DateTimeOffset.UtcNow,
        LastSeenAt = DateTimeOffset.UtcNow,
        PublishedAt = DateTimeOffset.UtcNow,
        Plate = "津A12345",
        Colour = PlateColour.Blue,
        Kind = PlateKind.SmallVehicle,
        CharacterConfidence = [1, 1, 1, 1, 1, 1, 1],
        Confidence = 1,
        Readings = 10,
        Box = new PlateBox(600, 500, 130, 40),
        FrameWidth = 1280,
        FrameHeight = 720,
    };

    [Fact]
    public async Task A_capture_the_stream_already_holds_counts_as_delivered_and_does_not_hold_up_later_ones()
    {
        // A publish whose ack came too late is sent again (from the spool, or by a worker that died before
        // the ack): the stream answers "duplicate", which means it is stored. Taking that for a failure
        // spooled the capture again and again, and every later capture queued behind it.
        await using var run = await TestRuns.CreateAsync("plate-publisher");
        await using var connection = nats.Connect("plate-publisher-test");
        await connection.ConnectAsync();
        await using var publisher = new PlatePublisher(connection, new PlatePublishingOptions { WorkerId = "duplicates", SpoolRoot = run.Sub("spool") }, NullLogger.Instance);
        publisher.Start();
        var first = Capture(Guid.NewGuid().ToString("N"));
        await publisher.EnqueueAsync(Subject, first, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => publisher.Published == 1, TimeSpan.FromSeconds(20), "the first capture published");

        await publisher.EnqueueAsync(Subject, first, TestContext.Current.CancellationToken);
        await publisher.EnqueueAsync(Subject, Capture(Guid.NewGuid().ToString("N")), TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => publisher.Published == 2, TimeSpan.FromSeconds(20), "the capture after the repeated one published");
        publisher.Duplicates.ShouldBe(1);
        publisher.Spooled.ShouldBe(0);
        publisher.SpoolPending.ShouldBe(0);
    }
}
