using CameraNet.DevStack;
using CameraNet.TestKit;

namespace CameraNet.EndToEnd.Tests;

/// <summary>
/// Plate delivery under faults, each test with its own nats-server (stopping the shared one would hurt other tests):
/// the broker away for 10 s, the worker killed with SIGKILL and started again. Counted by capture ID at a durable consumer.
/// </summary>
[Collection(PlatePassCollection.Name)]
public sealed class PlateFaultTests(PostgresFixture postgres, CameraSimFixture sim)
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Passes_seen_while_nats_is_down_for_10_s_are_spooled_and_delivered_exactly_once_when_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var natsRun = await TestRuns.CreateAsync("plates-nats-down-nats");
        var nats = await LocalNats.StartAsync(natsRun, cancellationToken: ct);
        await using var scenario = await PlateScenario.StartAsync("plates-nats-down", postgres, sim.Simulator, nats.Url, "12010100001210200", ct);
        await scenario.StartConsumingAsync("fault-nats", ct);
        var worker = await scenario.StartCapturingAsync("nats-down-worker");

        var from = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(15), ct);
        await nats.StopAsync();
        var down = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        await nats.StartAgainAsync(ct);
        var up = DateTimeOffset.UtcNow;
        var to = from + TimeSpan.FromSeconds(60);
        await Task.Delay(to - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4), ct);

        // Everything the worker saw during the outage arrives after it, from the spool.
        await Eventually.UntilAsync(() => worker.Tail(200).Contains("spooled", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the worker spooled captures during the outage");
        var score = Score(scenario, from, to);
        TestContext.Current.TestOutputHelper?.WriteLine($"NATS down {down:HH:mm:ss.f}–{up:HH:mm:ss.f}; {score}");
        score.Passes.ShouldBeGreaterThanOrEqualTo(20);
        scenario.Expected(sim.Simulator, down, up).Count.ShouldBeGreaterThanOrEqualTo(2, "some passes happened while NATS was away");
        AssertExactlyOnce(score);
    }

    [Fact]
    public async Task After_the_worker_is_killed_and_restarted_every_pass_it_saw_is_delivered_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var natsRun = await TestRuns.CreateAsync("plates-kill-nats");
        var nats = await LocalNats.StartAsync(natsRun, cancellationToken: ct);
        await using var scenario = await PlateScenario.StartAsync("plates-kill", postgres, sim.Simulator, nats.Url, "12010100001210300", ct);
        await scenario.StartConsumingAsync("fault-kill", ct);
        var worker = await scenario.StartCapturingAsync("kill-worker");

        var from = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(20), ct);
        await worker.KillAsync();
        var killed = DateTimeOffset.UtcNow;
        var restarted = scenario.StartWorker("kill-worker");
        await Eventually.UntilAsync(() => scenario.Deliveries.Any(d => d.FirstSeenAt > killed) || restarted.HasExited, TimeSpan.FromSeconds(60), "a capture after the restart");
        var back = scenario.Deliveries.Where(d => d.FirstSeenAt > killed).Min(d => d.FirstSeenAt);
        var to = back + TimeSpan.FromSeconds(35);
        await Task.Delay(to - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4), ct);

        // Passes the worker could see: finished (and so reported) before the kill, or begun once it was reading again.
        var score = Score(scenario, from, to, p => p.End + TimeSpan.FromSeconds(2.5) < killed || p.Start >= back);
        TestContext.Current.TestOutputHelper?.WriteLine($"killed {killed:HH:mm:ss.f}, reading again {back:HH:mm:ss.f}; {score}");
        score.Passes.ShouldBeGreaterThanOrEqualTo(20);
        AssertExactlyOnce(score);
    }

    /// <summary>Scores distinct capture IDs (a redelivery to the consumer is the same capture) against the passes the worker could see.</summary>
    private PassScore Score(PlateScenario scenario, DateTimeOffset from, DateTimeOffset to, Func<ExpectedPass, bool>? visible = null)
    {
        var expected = scenario.Expected(sim.Simulator, from, to).Where(visible ?? (_ => true)).ToList();
        var context = scenario.Expected(sim.Simulator, from - TimeSpan.FromSeconds(15), to + TimeSpan.FromSeconds(15));
        var distinct = scenario.Observed().DistinctBy(c => c.CaptureId).ToList();
        var score = PassTruth.Score(expected, distinct, Slack, context);
        foreach (var problem in score.Problems)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(problem);
        }

        return score;
    }

    private static void AssertExactlyOnce(PassScore score)
    {
        score.Doubled.ShouldBe(0, string.Join("\n", score.Problems));
        score.Recall.ShouldBeGreaterThanOrEqualTo(0.95, $"{score}\n{string.Join("\n", score.Problems)}");
    }
}
