using System.Collections.Concurrent;
using System.Diagnostics;
using CameraNet.Contracts;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Pipeline;
using CameraNet.Ingest.Publishing;
using CameraNet.TestKit;
using FFMpegCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

[assembly: AssemblyFixture(typeof(NatsFixture))]

namespace CameraNet.Ingest.Tests;

/// <summary>Whole camera pipelines (capture, watchdog, backoff, analysis, events) against the simulator and a real NATS.</summary>
public sealed class PipelineTests(CameraSimFixture sim, NatsFixture nats) : IAsyncDisposable
{
    private static int _serial;
    private readonly DecoderLanes _lanes = new(2, 64);
    private readonly List<CameraPipeline> _pipelines = [];
    private EventPublisher? _publisher;
    private IngestOptions? _options;

    private IngestOptions Options => _options ??= new IngestOptions
    {
        WorkerId = "pipeline-test",
        NatsUrl = nats.Url,
        InventoryUrl = "http://127.0.0.1:9",
        ApiKey = "unused",
        KeyframeStallTimeout = TimeSpan.FromSeconds(5),
        FullWidth = 640,
        FullHeight = 360,
    };

    private EventPublisher Publisher => _publisher ??= new EventPublisher(Microsoft.Extensions.Options.Options.Create(Options), NullLoggerFactory.Instance);

    private CameraPipeline Start(string simCamera, DecodeMode mode, double? fps = null, IngestOptions? options = null)
    {
        var serial = Interlocked.Increment(ref _serial);
        var camera = new IngestCamera($"120101000013100{serial:00000}", simCamera, "120101", "120101001", CameraKind.MonitoringClass2,
            sim.Url(simCamera), null, mode, fps, 1, HasCredentials: false);
        var pipeline = new CameraPipeline(camera, options ?? Options, Publisher, new FFOptions { TemporaryFilesFolder = Path.GetTempPath() },
            NullLogger.Instance, (_, _) => throw new InvalidOperationException("no credentials in this test"), _lanes);
        _pipelines.Add(pipeline);
        pipeline.Start();
        return pipeline;
    }

    [Fact]
    public async Task Frames_flow_from_several_cameras_at_once_in_both_modes()
    {
        var streets = new[] { Start("street-1", DecodeMode.Keyframe), Start("street-2", DecodeMode.Keyframe) };
        var checkpoints = new[] { Start("checkpoint-1", DecodeMode.Full, 10), Start("checkpoint-2", DecodeMode.Full, 10) };
        (await Eventually.TrueAsync(() => streets.Concat(checkpoints).All(p => p.Health == CameraHealth.Online), TimeSpan.FromSeconds(20))).ShouldBeTrue();

        var before = streets.Concat(checkpoints).Select(p => p.FramesDecoded).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
        var frames = streets.Concat(checkpoints).Select((p, i) => p.FramesDecoded - before[i]).ToArray();
        frames[0].ShouldBeInRange(3, 6, "key frames: one per 2 s GOP");
        frames[1].ShouldBeInRange(3, 6);
        frames[2].ShouldBeInRange(64, 96, "full mode at 10 fps");
        frames[3].ShouldBeInRange(64, 96);
    }

    [Fact]
    public async Task A_stalled_camera_is_detected_and_restarted()
    {
        var statuses = new ConcurrentQueue<CameraHealth>();
        var pipeline = Start("stalling", DecodeMode.Keyframe);
        (await Eventually.TrueAsync(() => pipeline.Health == CameraHealth.Online, TimeSpan.FromSeconds(15))).ShouldBeTrue();

        // The simulated camera stops sending 4 s into each session but keeps the connection open.
        (await Eventually.TrueAsync(() => pipeline.Health == CameraHealth.Stalled, TimeSpan.FromSeconds(15))).ShouldBeTrue(pipeline.Reason);
        pipeline.Reason.ShouldContain("no frame for");
        var framesWhenStalled = pipeline.FramesDecoded;
        (await Eventually.TrueAsync(() => pipeline.Health == CameraHealth.Online && pipeline.FramesDecoded > framesWhenStalled, TimeSpan.FromSeconds(15)))
            .ShouldBeTrue("the watchdog restarts the stream and pictures come again");
        pipeline.Reconnects.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_refusing_camera_is_unreachable_and_retried_with_growing_backoff()
    {
        var pipeline = Start("refusing", DecodeMode.Keyframe);
        (await Eventually.TrueAsync(() => pipeline.Attempts.Count >= 4, TimeSpan.FromSeconds(20))).ShouldBeTrue();
        pipeline.Health.ShouldBe(CameraHealth.Unreachable);
        pipeline.Reason.ShouldContain("refused");
        var attempts = pipeline.Attempts;
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        gaps[2].ShouldBeGreaterThan(gaps[0] * 1.5, $"backoff grows: {string.Join(", ", gaps.Select(g => g.ToString("0.00")))} s");
    }

    [Fact]
    public async Task A_corrupt_stream_is_reported_bad_while_other_cameras_keep_their_frame_rate()
    {
        var healthy = Start("checkpoint-1", DecodeMode.Full, 10);
        (await Eventually.TrueAsync(() => healthy.Health == CameraHealth.Online, TimeSpan.FromSeconds(15))).ShouldBeTrue();

        // A new session starts with a burst (the camera's frames since its last key frame), so the rate is
        // measured once the healthy camera is past it (30 frames: 3 s at 10 fps), over at least 4 s: a
        // 2 s window that held the burst once measured 12.8 fps.
        var online = healthy.FramesDecoded;
        (await Eventually.TrueAsync(() => healthy.FramesDecoded >= online + 30, TimeSpan.FromSeconds(15))).ShouldBeTrue("the healthy camera delivers frames");
        var before = healthy.FramesDecoded;
        var clock = Stopwatch.StartNew();
        var corrupt = Start("corrupt", DecodeMode.Keyframe);
        var corruptFull = Start("corrupt", DecodeMode.Full, 10);
        (await Eventually.TrueAsync(() => corrupt.Health == CameraHealth.BadStream && corruptFull.Health == CameraHealth.BadStream, TimeSpan.FromSeconds(30)))
            .ShouldBeTrue($"{corrupt.Health} ({corrupt.Reason}) / {corruptFull.Health} ({corruptFull.Reason})");
        await Eventually.TrueAsync(() => clock.Elapsed >= TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5)); // the measuring window
        var rate = (healthy.FramesDecoded - before) / clock.Elapsed.TotalSeconds;
        rate.ShouldBeInRange(8.0, 12.0, "the healthy camera kept its 10 fps");
        healthy.Health.ShouldBe(CameraHealth.Online);
    }

    [Fact]
    public async Task Killing_one_ffmpeg_process_is_recovered_without_disturbing_the_others()
    {
        // Full mode through one ffmpeg per camera (the isolated alternative to the in-process decoder).
        var throughFfmpeg = new IngestOptions
        {
            WorkerId = Options.WorkerId, NatsUrl = Options.NatsUrl, InventoryUrl = Options.InventoryUrl, ApiKey = Options.ApiKey,
            FullWidth = Options.FullWidth, FullHeight = Options.FullHeight, FullModeDecoder = FullModeDecoder.Ffmpeg,
        };
        var victim = Start("checkpoint-1", DecodeMode.Full, 10, throughFfmpeg);
        var bystander = Start("checkpoint-2", DecodeMode.Full, 10, throughFfmpeg);
        (await Eventually.TrueAsync(() => victim.Health == CameraHealth.Online && bystander.Health == CameraHealth.Online, TimeSpan.FromSeconds(15))).ShouldBeTrue();
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        // An ffmpeg of an earlier test on the same camera may still be exiting: wait for it to be gone.
        await Eventually.TrueAsync(() => FfmpegPids(sim.Url("checkpoint-1")).Count == 1, TimeSpan.FromSeconds(10));
        var ffmpeg = FfmpegPids(sim.Url("checkpoint-1"));
        ffmpeg.Count.ShouldBe(1, "one ffmpeg process per full-mode camera");
        var bystanderBefore = bystander.FramesDecoded;
        var clock = Stopwatch.StartNew();
        Process.GetProcessById(ffmpeg[0]).Kill();

        var victimFrames = victim.FramesDecoded;
        (await Eventually.TrueAsync(() => victim.Reconnects >= 1 && victim.Health == CameraHealth.Online && victim.FramesDecoded > victimFrames + 10, TimeSpan.FromSeconds(20)))
            .ShouldBeTrue($"{victim.Health}: {victim.Reason}");
        FfmpegPids(sim.Url("checkpoint-1")).ShouldNotContain(ffmpeg[0]);
        ((bystander.FramesDecoded - bystanderBefore) / clock.Elapsed.TotalSeconds).ShouldBeInRange(8.0, 12.0);
        bystander.Reconnects.ShouldBe(0);
    }

    /// <summary>ffmpeg processes of this test process pulling <paramref name="url"/>.</summary>
    private static List<int> FfmpegPids(string url)
    {
        var self = Environment.ProcessId;
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (parent == self && command.Contains("ffmpeg", StringComparison.Ordinal) && command.Contains(url, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return pids;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_pipelines.Select(p => p.DisposeAsync().AsTask()));
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        _lanes.Dispose();
    }
}
