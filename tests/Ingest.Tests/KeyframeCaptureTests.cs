using System.Buffers.Binary;
using System.Collections.Concurrent;
using CameraNet.CameraSim.Rtsp;
using CameraNet.CameraSim.Scenes;
using CameraNet.DevStack;
using CameraNet.Ingest.Capture;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Rtsp;
using CameraNet.TestKit;

namespace CameraNet.Ingest.Tests;

/// <summary>The in-process key-frame path: RTP → IDR access units → libavcodec → pooled I420 frames.</summary>
public sealed class KeyframeDepacketizerTests
{
    internal static async Task<RtpFrameSet> StreetAsync()
    {
        var scene = await new SceneCache(Path.Combine(RepoPaths.CacheDirectory, "sim")).GetAsync(
            new SceneSpec { Kind = SceneKind.Street, Variant = 0 }, TestContext.Current.CancellationToken);
        return RtpFrameSet.FromStream(H264Stream.Parse(await File.ReadAllBytesAsync(scene.VideoPath, TestContext.Current.CancellationToken)), 25);
    }

    /// <summary>The RTP packets of loop frames [from, to), as the simulator sends them (without the '$' framing).</summary>
    internal static IEnumerable<byte[]> Packets(RtpFrameSet set, int from, int to)
    {
        ushort sequence = 1000;
        for (var i = from; i < to; i++)
        {
            var frame = set.Frames[i];
            var buffer = new byte[frame.Data.Length];
            sequence = frame.CopyTo(buffer, sequence, (uint)(i * 3600), 0x1234);
            var offset = 0;
            while (offset < buffer.Length)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset + 2));
                yield return buffer.AsSpan(offset + 4, length).ToArray();
                offset += 4 + length;
            }
        }
    }

    [Fact]
    public async Task Only_idr_frames_come_out_with_their_parameter_sets_and_they_decode()
    {
        var set = await StreetAsync();
        using var depacketizer = new H264Depacketizer();
        var units = new List<(byte[] Data, uint Timestamp)>();
        depacketizer.OnKeyFrame = (au, ts) => units.Add((au.ToArray(), ts));

        // The SDP's parameter sets are not given: the stream carries them in band before each IDR.
        foreach (var packet in Packets(set, 0, 120))
        {
            depacketizer.Push(packet);
        }

        units.Select(u => u.Timestamp).ShouldBe([0u, 50 * 3600u, 100 * 3600u], "one key frame per 50-frame GOP, nothing else");
        foreach (var (data, _) in units)
        {
            data.AsSpan(0, 5).ToArray().ShouldBe(new byte[] { 0, 0, 0, 1, 0x67 }.Select((b, i) => i < 4 ? b : (byte)(data[4] & 0x1F | 0x60)).ToArray());
            (data[4] & 0x1F).ShouldBe(H264Depacketizer.NalSps);
        }

        using var pool = new FramePool(640, 360, 1);
        pool.TryRent(out var frame).ShouldBeTrue();
        using var decoder = new H264Decoder();
        foreach (var (data, _) in units)
        {
            decoder.DecodeKeyFrame(data, frame).ShouldBe(DecodeStatus.Picture);
            var y = frame.Y.ToArray();
            y.Max().ShouldBeGreaterThan((byte)(y.Min() + 50), "a real picture has contrast");
        }
    }

    [Fact]
    public async Task A_key_frame_with_a_lost_packet_is_discarded_not_decoded()
    {
        var set = await StreetAsync();
        using var depacketizer = new H264Depacketizer();
        var count = 0;
        depacketizer.OnKeyFrame = (_, _) => count++;
        var packets = Packets(set, 0, 60).ToList();
        packets.RemoveAt(5); // inside the first IDR (SPS, PPS, then its slices)
        foreach (var packet in packets)
        {
            depacketizer.Push(packet);
        }

        count.ShouldBe(1, "the second GOP's key frame is whole");
        depacketizer.Discarded.ShouldBe(1);
    }

    [Fact]
    public void Stap_a_aggregates_are_unpacked()
    {
        using var depacketizer = new H264Depacketizer();
        byte[]? unit = null;
        depacketizer.OnKeyFrame = (au, _) => unit = au.ToArray();
        byte[] sps = [0x67, 0x4D, 0x00, 0x1F], pps = [0x68, 0xEE, 0x3C, 0x80], idr = [0x65, 0x88, 0x84, 0x00];
        var stap = new List<byte> { 0x78 };
        foreach (var nal in new[] { sps, pps, idr })
        {
            stap.Add(0);
            stap.Add((byte)nal.Length);
            stap.AddRange(nal);
        }

        depacketizer.Push([0x80, 0xE0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1, .. stap]);
        unit.ShouldBe([0, 0, 0, 1, .. sps, 0, 0, 0, 1, .. pps, 0, 0, 0, 1, .. idr]);
    }

    [Fact]
    public void The_sdp_gives_the_track_and_its_parameter_sets()
    {
        const string sdp = "v=0\r\nm=audio 0 RTP/AVP 0\r\na=control:audio\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
                           "a=fmtp:96 packetization-mode=1;profile-level-id=4D001F;sprop-parameter-sets=Z00AH5WoFAFuQA==,aO48gA==\r\na=control:trackID=1\r\n";
        var track = RtspClient.ParseSdp(sdp, new Uri("rtsp://10.0.0.1/Streaming/Channels/101/"));
        track.Codec.ShouldBe("H264");
        track.Control.ShouldBe(new Uri("rtsp://10.0.0.1/Streaming/Channels/101/trackID=1"));
        (track.Sps![0] & 0x1F).ShouldBe(7);
        (track.Pps![0] & 0x1F).ShouldBe(8);

        var hevc = "v=0\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:98 H265/90000\r\n";
        Should.Throw<RtspException>(() => RtspClient.ParseSdp(hevc, new Uri("rtsp://h/"))).Failure.ShouldBe(RtspFailure.UnsupportedCodec);
    }
}

/// <summary>Key-frame sessions against the simulator's real RTSP cameras.</summary>
public sealed class KeyframeSessionTests(CameraSimFixture sim) : IDisposable
{
    private readonly DecoderLanes _lanes = new(2, 16);

    /// <summary>What a frame said when it arrived (frames are pooled: their fields change when reused).</summary>
    private sealed record Seen(long Sequence, DateTimeOffset ReceivedAt, DateTimeOffset? CapturedAt);

    private async Task<(CaptureResult Result, List<Seen> Frames, List<string> Errors)> RunAsync(StreamAddress address, TimeSpan duration)
    {
        using var pool = new FramePool(640, 360, 3);
        var frames = new List<Seen>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(duration);
        var result = await KeyframeSession.RunAsync(address, pool, _lanes, frame =>
        {
            if (frame is not null)
            {
                lock (frames)
                {
                    frames.Add(new Seen(frame.Sequence, frame.ReceivedAt, frame.CapturedAt));
                }

                frame.Release();
            }
        }, errors.Enqueue, stop.Token);
        return (result, frames, [.. errors]);
    }

    [Fact]
    public async Task A_street_camera_gives_about_one_picture_per_gop_with_capture_times()
    {
        var started = DateTimeOffset.UtcNow;
        var (result, frames, errors) = await RunAsync(new StreamAddress(sim.Url("street-1")), TimeSpan.FromSeconds(9));
        result.Outcome.ShouldBe(CaptureOutcome.Cancelled, result.Reason);
        frames.Count.ShouldBeInRange(4, 7, string.Join('\n', errors)); // the catch-up key frame, then one per 2 s
        frames.Select(f => f.Sequence).ShouldBe(Enumerable.Range(1, frames.Count).Select(i => (long)i));
        var timed = frames.Where(f => f.CapturedAt is not null).ToList();
        timed.Count.ShouldBeGreaterThan(0, "the simulator sends RTCP sender reports");
        foreach (var frame in timed)
        {
            (frame.ReceivedAt - frame.CapturedAt!.Value).ShouldBeLessThan(TimeSpan.FromSeconds(3));
            frame.CapturedAt.Value.ShouldBeGreaterThan(started - TimeSpan.FromSeconds(3));
        }
    }

    [Fact]
    public async Task Refused_connections_unknown_streams_and_wrong_passwords_are_told_apart()
    {
        var refused = await RunAsync(new StreamAddress(sim.Url("refusing")), TimeSpan.FromSeconds(15));
        refused.Result.Outcome.ShouldBe(CaptureOutcome.Unreachable);

        var missing = await RunAsync(new StreamAddress(sim.Url("street-1").Replace("street-1", "no-such-camera", StringComparison.Ordinal)), TimeSpan.FromSeconds(15));
        missing.Result.Outcome.ShouldBe(CaptureOutcome.Unreachable);
        missing.Result.Reason.ShouldContain("404");

        var wrong = await RunAsync(new StreamAddress(sim.Url("secured"), CameraSimFixture.SecuredUser, "wrong"), TimeSpan.FromSeconds(15));
        wrong.Result.Outcome.ShouldBe(CaptureOutcome.AuthFailed);

        var none = await RunAsync(new StreamAddress(sim.Url("secured")), TimeSpan.FromSeconds(15));
        none.Result.Outcome.ShouldBe(CaptureOutcome.AuthFailed);
        none.Result.Reason.ShouldContain("none are registered");
    }

    [Fact]
    public async Task The_right_password_is_accepted_through_digest_authentication()
    {
        var (result, frames, _) = await RunAsync(new StreamAddress(sim.Url("secured"), CameraSimFixture.SecuredUser, CameraSimFixture.SecuredPassword), TimeSpan.FromSeconds(5));
        result.Outcome.ShouldBe(CaptureOutcome.Cancelled, result.Reason);
        frames.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_stream_without_parameter_sets_is_a_bad_stream()
    {
        var (result, frames, _) = await RunAsync(new StreamAddress(sim.Url("corrupt")), TimeSpan.FromSeconds(20));
        frames.ShouldBeEmpty();
        result.Outcome.ShouldBe(CaptureOutcome.BadStream);
        result.Reason.ShouldContain("parameter sets");
    }

    public void Dispose() => _lanes.Dispose();
}
