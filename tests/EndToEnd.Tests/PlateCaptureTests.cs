using CameraNet.DevStack;
using CameraNet.TestKit;

namespace CameraNet.EndToEnd.Tests;

/// <summary>Checkpoint cameras → worker (recognise, track, vote) → PLATES stream → durable consumer, scored against the simulator's ground truth.</summary>
[Collection(PlatePassCollection.Name)]
public sealed class PlateCaptureTests(PostgresFixture postgres, NatsFixture nats, CameraSimFixture sim)
{
    /// <summary>Captures may start a little before the truth's "fully visible" frames and end a little after.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Each_vehicle_pass_at_two_checkpoints_is_delivered_once_with_its_plate()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scenario = await PlateScenario.StartAsync("plates-e2e", postgres, sim.Simulator, nats.Url, "12010100001210100", ct);
        await scenario.StartConsumingAsync("plates-e2e", ct);

        // Count passes from when the worker is surely pulling both cameras until enough passes have gone by.
        var worker = await scenario.StartCapturingAsync("plates-worker");
        var from = DateTimeOffset.UtcNow;
        // Long enough for at least 52 whole passes (the simulator's truth says when they happen).
        var to = from + TimeSpan.FromSeconds(60);
        while (scenario.Expected(sim.Simulator, from, to).Count < 52)
        {
            to += TimeSpan.FromSeconds(2);
        }

        await Task.Delay(to - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4), ct); // the last passes end and are published
        var expected = scenario.Expected(sim.Simulator, from, to);
        var context = scenario.Expected(sim.Simulator, from - TimeSpan.FromSeconds(15), to + TimeSpan.FromSeconds(15));
        var score = PassTruth.Score(expected, scenario.Observed(), Slack, context);

        TestContext.Current.TestOutputHelper?.WriteLine(score.ToString());
        foreach (var problem in score.Problems)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(problem);
        }

        expected.Count.ShouldBeGreaterThanOrEqualTo(50);
        expected.Select(p => p.Camera).Distinct().Count().ShouldBe(2);
        score.Doubled.ShouldBe(0, string.Join("\n", score.Problems));
        score.Recall.ShouldBeGreaterThanOrEqualTo(0.95, $"{score}\n{string.Join("\n", score.Problems)}\nworker:\n{worker.Tail(20)}");
        scenario.Deliveries.Select(d => d.CaptureId).ShouldBeUnique("the durable consumer gets each capture once");
        foreach (var capture in scenario.Deliveries)
        {
            capture.CropJpeg.ShouldNotBeNull();
            capture.CropJpeg!.Length.ShouldBeInRange(200, 30_000, "a small JPEG of the plate, not a frame");
            capture.CropJpeg[..2].ShouldBe(new byte[] { 0xFF, 0xD8 });
            capture.CharacterConfidence.Count.ShouldBe(capture.Plate.Length);
            capture.TownshipCode.ShouldStartWith("120101");
        }
    }
}
