using System.Collections.Concurrent;
using CameraNet.Ingest.Capture;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Rtsp;
using CameraNet.TestKit;

namespace CameraNet.Ingest.Tests;

/// <summary>The in-process full-mode path: RTP → every access unit in order → one decoder per camera → pooled I420 frames.</summary>
public sealed class FullFrameDepacketizerTests
{
    private const uint Tick = 3600; // 90 kHz / 25 fps

    [Fact]
    public async Task Every_picture_comes_out_in_order_and_decodes()
    {
        var set = await KeyframeDepacketizerTests.StreetAsync();
        using var depacketizer = new H264Depacketizer { KeyFramesOnly = false };
        var units = new List<(byte[] Data, uint Timestamp, bool Key)>();
        depacketizer.OnKeyFrame = (au, ts) => units.Add((au.ToArray(), ts, true));
        depacketizer.OnInterFrame = (au, ts) => units.Add((au.ToArray(), ts, false));
        foreach (var packet in KeyframeDepacketizerTests.Packets(set, 0, 120))
        {
            depacketizer.Push(packet);
        }

        depacketizer.Push([0x80, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x09, 0xF0]); // an access unit delimiter closes the last picture
        units.Select(u => u.Timestamp).ShouldBe(Enumerable.Range(0, 120).Select(i => (uint)i * Tick));
        units.Where(u => u.Key).Select(u => u.Timestamp).ShouldBe([0u, 50 * Tick, 100 * Tick]);

        using var pool = new FramePool(640, 360, 1);
        pool.TryRent(out var frame).ShouldBeTrue();
        using var decoder = new H264Decoder();
        var pictures = 0;
        byte[]? previous = null;
        var changed = 0;
        foreach (var (data, _, _) in units)
        {
            decoder.DecodeNext(data, frame).ShouldBe(DecodeStatus.Picture);
            pictures++;
            var y = frame.Y.ToArray();
            if (previous is not null && !y.SequenceEqual(previous))
            {
                changed++;
            }

            previous = y;
        }

        pictures.ShouldBe(120);
        changed.ShouldBeGreaterThan(100, "vehicles move: consecutive pictures differ");
    }

    [Fact]
    public async Task After_a_lost_packet_pictures_are_skipped_until_the_next_idr_frame()
    {
        var set = await KeyframeDepacketizerTests.StreetAsync();
        using var depacketizer = new H264Depacketizer { KeyFramesOnly = false };
        var timestamps = new List<uint>();
        depacketizer.OnKeyFrame = (_, ts) => timestamps.Add(ts);
        depacketizer.OnInterFrame = (_, ts) => timestamps.Add(ts);

        // Lose the first packet of picture 10 (a P picture): 10 is broken, 11–49 refer to it.
        var packets = KeyframeDepacketizerTests.Packets(set, 0, 60).ToList();
        packets.RemoveAt(packets.FindIndex(p => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(4)) == 10 * Tick));
        foreach (var packet in packets)
        {
            depacketizer.Push(packet);
        }

        timestamps.ShouldBe(Enumerable.Range(0, 10).Concat(Enumerable.Range(50, 10)).Select(i => (uint)i * Tick), "0–9, then from the next IDR (50) on");
        depacketizer.Discarded.ShouldBe(1, "the picture the loss was seen in");
        (depacketizer.Discarded + depacketizer.Skipped).ShouldBeInRange(39, 40, "pictures 11–49 (and 10, if any of it arrived) are not handed on");
    }
}

/// <summary>Full-mode sessions against the simulator.</summary>
public sealed class FullFrameSessionTests(CameraSimFixture sim)
{
    private sealed record Seen(long Sequence, DateTimeOffset ReceivedAt, DateTimeOffset? CapturedAt, byte Pixel);

    private static async Task<(CaptureResult Result, List<Seen> Frames, List<string> Errors)> RunAsync(StreamAddress address, double? fps, TimeSpan duration)
    {
        using var pool = new FramePool(1280, 720, 4);
        var frames = new List<Seen>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(duration);
        var result = await FullFrameSession.RunAsync(address, pool, fps, frame =>
        {
            if (frame is not null)
            {
                lock (frames)
                {
                    frames.Add(new Seen(frame.Sequence, frame.ReceivedAt, frame.CapturedAt, frame.Y[640 * 1280 / 2]));
                }

                frame.Release();
            }
        }, errors.Enqueue, stop.Token);
        return (result, frames, [.. errors]);
    }

    [Fact]
    public async Task Every_frame_of_a_checkpoint_arrives_at_25_fps_with_capture_times()
    {
        var (result, frames, errors) = await RunAsync(new StreamAddress(sim.Url("checkpoint-1")), null, TimeSpan.FromSeconds(6));
        result.Outcome.ShouldBe(CaptureOutcome.Cancelled, result.Reason);
        errors.ShouldBeEmpty();

        // The stream starts at the camera's last key frame: a burst to catch up, then 25 fps.
        var steady = frames.Where(f => f.ReceivedAt >= frames[0].ReceivedAt + TimeSpan.FromSeconds(2.5)).ToList();
        var span = (steady[^1].ReceivedAt - steady[0].ReceivedAt).TotalSeconds;
        ((steady.Count - 1) / span).ShouldBeInRange(22.0, 28.0);
        frames.Select(f => f.Sequence).ShouldBe(Enumerable.Range(1, frames.Count).Select(i => (long)i));
        var timed = steady.Where(f => f.CapturedAt is not null).ToList();
        timed.Count.ShouldBeGreaterThan(steady.Count / 2);
        timed.Zip(timed.Skip(1), (a, b) => (b.CapturedAt!.Value - a.CapturedAt!.Value).TotalMilliseconds).Average().ShouldBeInRange(35.0, 45.0);
    }

    [Fact]
    public async Task The_analysis_rate_limits_the_frames_delivered()
    {
        var (result, frames, _) = await RunAsync(new StreamAddress(sim.Url("checkpoint-2")), 10, TimeSpan.FromSeconds(6));
        result.Outcome.ShouldBe(CaptureOutcome.Cancelled, result.Reason);
        var steady = frames.Where(f => f.ReceivedAt >= frames[0].ReceivedAt + TimeSpan.FromSeconds(2.5)).ToList();
        ((steady.Count - 1) / (steady[^1].ReceivedAt - steady[0].ReceivedAt).TotalSeconds).ShouldBeInRange(8.0, 12.5);
        var gaps = steady.Where(f => f.CapturedAt is not null).Select(f => f.CapturedAt!.Value).ToList();
        gaps.Zip(gaps.Skip(1), (a, b) => (b - a).TotalMilliseconds).ShouldAllBe(ms => ms >= 79 && ms <= 121, "every 2nd or 3rd picture at 25 fps");
    }

    [Fact]
    public async Task A_stream_without_parameter_sets_is_a_bad_stream_and_failures_are_classified()
    {
        var (result, frames, _) = await RunAsync(new StreamAddress(sim.Url("corrupt")), null, TimeSpan.FromSeconds(20));
        frames.ShouldBeEmpty();
        result.Outcome.ShouldBe(CaptureOutcome.BadStream);
        result.Reason.ShouldContain("parameter sets");

        (await RunAsync(new StreamAddress(sim.Url("refusing")), null, TimeSpan.FromSeconds(15))).Result.Outcome.ShouldBe(CaptureOutcome.Unreachable);
        (await RunAsync(new StreamAddress(sim.Url("secured"), CameraSimFixture.SecuredUser, "wrong"), null, TimeSpan.FromSeconds(15))).Result.Outcome.ShouldBe(CaptureOutcome.AuthFailed);
    }
}
