using System.Collections.Concurrent;
using CameraNet.Contracts;
using CameraNet.Ingest.Capture;
using CameraNet.Ingest.Decode;
using CameraNet.TestKit;
using FFMpegCore;

[assembly: AssemblyFixture(typeof(CameraSimFixture))]

namespace CameraNet.Ingest.Tests;

/// <summary>The capture stage against the simulator's real RTSP cameras.</summary>
public sealed class CaptureSessionTests(CameraSimFixture sim)
{
    private static readonly FFOptions Ffmpeg = new() { TemporaryFilesFolder = Path.GetTempPath() };

    private static async Task<(CaptureResult Result, List<long> Sequences, List<string> Errors)> CaptureAsync(CaptureRequest request, TimeSpan duration)
    {
        using var pool = new FramePool(request.Width, request.Height, 4);
        var sequences = new List<long>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(duration);
        var result = await CaptureSession.RunAsync(request, pool, frame =>
        {
            if (frame is not null)
            {
                sequences.Add(frame.Sequence);
                frame.Release();
            }
        }, errors.Enqueue, Ffmpeg, stop.Token);
        return (result, sequences, [.. errors]);
    }

    [Fact]
    public async Task Full_mode_delivers_frames_at_the_analysis_rate()
    {
        var (result, frames, errors) = await CaptureAsync(new CaptureRequest(sim.Url("checkpoint-1"), DecodeMode.Full, 640, 360, 10), TimeSpan.FromSeconds(6));
        result.Outcome.ShouldBe(CaptureOutcome.Cancelled);
        frames.Count.ShouldBeInRange(30, 70, string.Join('\n', errors));
        frames.ShouldBe(Enumerable.Range(1, frames.Count).Select(i => (long)i).ToList());
    }

    [Fact]
    public async Task Keyframe_mode_decodes_about_one_frame_per_gop()
    {
        // The simulator's GOP is 50 frames at 25 fps: one key frame every 2 s, plus the catch-up key frame.
        var (_, frames, errors) = await CaptureAsync(new CaptureRequest(sim.Url("street-1"), DecodeMode.Keyframe, 640, 360, null), TimeSpan.FromSeconds(9));
        frames.Count.ShouldBeInRange(3, 6, string.Join('\n', errors));
    }

    [Fact]
    public async Task A_refusing_camera_is_classified_unreachable()
    {
        var (result, frames, _) = await CaptureAsync(new CaptureRequest(sim.Url("refusing"), DecodeMode.Keyframe, 640, 360, null), TimeSpan.FromSeconds(15));
        frames.ShouldBeEmpty();
        result.Outcome.ShouldBe(CaptureOutcome.Unreachable);
        result.Reason.ShouldContain("refused");
    }

    [Fact]
    public async Task Wrong_credentials_are_classified_as_an_authentication_failure()
    {
        var url = sim.UrlWithCredentials("secured", CameraSimFixture.SecuredUser, "wrong-password");
        var (result, frames, _) = await CaptureAsync(new CaptureRequest(url, DecodeMode.Keyframe, 640, 360, null), TimeSpan.FromSeconds(15));
        frames.ShouldBeEmpty();
        result.Outcome.ShouldBe(CaptureOutcome.AuthFailed);
    }

    [Fact]
    public void Decoder_complaints_without_a_picture_mean_a_bad_stream()
    {
        CaptureSession.Classify(["[h264 @ 0x1] non-existing PPS 0 referenced", "[h264 @ 0x1] decode_slice_header error"], frames: 0)
            .Outcome.ShouldBe(CaptureOutcome.BadStream);
        CaptureSession.Classify(["[h264 @ 0x1] decode_slice_header error"], frames: 500)
            .Outcome.ShouldBe(CaptureOutcome.Ended, "a glitch in a stream that was decoding is not a bad stream");
        CaptureSession.Classify(["method DESCRIBE failed: 401 Unauthorized"], frames: 0)
            .Outcome.ShouldBe(CaptureOutcome.AuthFailed);
    }

    [Fact]
    public void Keyframe_mode_asks_ffmpeg_to_skip_non_key_frames_and_not_to_invent_frames()
    {
        var request = new CaptureRequest("rtsp://h/s", DecodeMode.Keyframe, 640, 360, null);
        CaptureSession.InputArguments(request).ShouldContain("-skip_frame nokey");
        CaptureSession.InputArguments(request).ShouldContain("-rtsp_transport tcp");
        CaptureSession.OutputArguments(request).ShouldContain("-fps_mode passthrough");
        CaptureSession.OutputArguments(request with { Mode = DecodeMode.Full, AnalysisFps = 12.5 }).ShouldContain("fps=12.5");
    }
}
