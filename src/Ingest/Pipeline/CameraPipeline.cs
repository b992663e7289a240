using System.Threading.Channels;
using CameraNet.Contracts;
using CameraNet.Ingest.Capture;
using CameraNet.Ingest.Decode;
using CameraNet.Ingest.Motion;
using CameraNet.Ingest.Publishing;
using CameraNet.Ingest.Recognition;
using FFMpegCore;

namespace CameraNet.Ingest.Pipeline;

/// <summary>
/// Everything the worker does for one camera: capture (one ffmpeg session at a time, reconnecting
/// with backoff), a watchdog for stalls and undecodable streams, analysis on a separate task behind a
/// small bounded queue, health tracking and events. A camera's failure stays inside its pipeline.
/// </summary>
public sealed class CameraPipeline : IAsyncDisposable
{
    private const int FullModePoolFrames = 4;
    private const int KeyframePoolFrames = 3;
    private static readonly TimeSpan FirstFrameTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    private readonly IngestCamera _camera;
    private readonly IngestOptions _options;
    private readonly EventPublisher _publisher;
    private readonly FFOptions _ffmpeg;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly DivisionCode _district;
    private readonly DivisionCode _township;
    private readonly GbDeviceId _id;
    private readonly string _frameSubject;
    private readonly string _statusSubject;
    private readonly Lock _gate = new();
    private Task? _run;
    private CameraHealth _health = CameraHealth.Unknown;
    private string _reason = "not started";
    private long _framesDecoded;
    private long _lastFrameTicks;
    private DateTimeOffset? _lastFrameAt;

    private readonly Func<string, CancellationToken, Task<IngestCredentials>> _credentials;
    private readonly DecoderLanes _lanes;
    private readonly PlateServices? _plates;
    private PlateStage? _plateStage;
    private StreamAddress? _address;
    private bool _throughFfmpeg;

    public CameraPipeline(
        IngestCamera camera, IngestOptions options, EventPublisher publisher, FFOptions ffmpeg, ILogger logger,
        Func<string, CancellationToken, Task<IngestCredentials>> credentials, DecoderLanes lanes, PlateServices? plates = null)
    {
        _plates = plates;
        _credentials = credentials;
        _lanes = lanes;
        _camera = camera;
        _options = options;
        _publisher = publisher;
        _ffmpeg = ffmpeg;
        _logger = logger;
        _district = DivisionCode.Parse(camera.DistrictCode);
        _township = DivisionCode.Parse(camera.TownshipCode);
        _id = GbDeviceId.Parse(camera.Id);
        _frameSubject = Subjects.Frames(_district, _township, _id);
        _statusSubject = Subjects.CameraStatus(_district, _township, _id);
    }

    public IngestCamera Camera => _camera;
    public CameraHealth Health => _health;
    public string Reason => _reason;
    public long FramesDecoded => Interlocked.Read(ref _framesDecoded);
    public long Reconnects { get; private set; }

    /// <summary>When the last few capture sessions started (newest last): backoff made visible.</summary>
    public IReadOnlyList<DateTimeOffset> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    private readonly Queue<DateTimeOffset> _attempts = new();

    public void Start() => _run = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var full = _camera.DecodeMode == DecodeMode.Full;
        var request = new CaptureRequest(
            string.Empty, _camera.DecodeMode,
            full ? _options.FullWidth : _options.KeyframeWidth,
            full ? _options.FullHeight : _options.KeyframeHeight,
            full ? _camera.AnalysisFps : null);
        var poolFrames = full ? FullModePoolFrames : KeyframePoolFrames;
        using var pool = new FramePool(request.Width, request.Height, poolFrames);
        var queue = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(poolFrames - 2) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true },
            dropped =>
            {
                dropped.Release();
                IngestMetrics.FramesDropped.WithLabels(_camera.Id).Inc();
            });
        var analysis = Task.Run(() => AnalyseAsync(queue.Reader));
        var failures = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                // Credentials are read when needed (and again after an authentication failure), never stored on disk.
                if (_address is null || _health == CameraHealth.AuthFailed)
                {
                    try
                    {
                        _address = await AddressAsync();
                        request = request with { Url = _address.Url };
                    }
                    catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !_stop.IsCancellationRequested)
                    {
                        Log.CredentialsUnavailable(_logger, _camera.Id, e.Message);
                        SetHealth(CameraHealth.AuthFailed, "credentials not available from the inventory");
                        await Task.Delay(Backoff(++failures), _stop.Token);
                        continue;
                    }
                }

                if (_health is CameraHealth.Unknown or CameraHealth.Online)
                {
                    // A failing camera keeps its failure state while we retry: operators see why it is down, not a flicker.
                    SetHealth(CameraHealth.Connecting, _health == CameraHealth.Unknown ? "connecting" : "reconnecting");
                }

                var (health, reason, frames) = await CaptureOnceAsync(request, pool, queue.Writer);
                if (_stop.IsCancellationRequested)
                {
                    break;
                }

                SetHealth(health, Redact(reason));
                failures = frames > 0 ? 1 : failures + 1;
                Reconnects++;
                IngestMetrics.Reconnects.WithLabels(_camera.Id).Inc();
                var delay = Backoff(failures);
                Log.Backoff(_logger, _camera.Id, delay.TotalSeconds, failures);
                await Task.Delay(delay, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.PipelineFailed(_logger, _camera.Id, e);
            SetHealth(CameraHealth.BadStream, "internal error: " + Redact(e.Message));
        }
        finally
        {
            queue.Writer.TryComplete();
            await analysis;
        }
    }

    private async Task<StreamAddress> AddressAsync()
    {
        if (!_camera.HasCredentials)
        {
            return new StreamAddress(_camera.MainStreamUrl);
        }

        var credentials = await _credentials(_camera.Id, _stop.Token);
        return new StreamAddress(_camera.MainStreamUrl, credentials.Username, credentials.Password);
    }

    private string Redact(string text) => _address?.Redact(text) ?? text;

    /// <summary>Exponential backoff with ±20% jitter, so cameras that failed together do not retry together.</summary>
    public static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Max(0, failures - 1)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private async Task<(CameraHealth Health, string Reason, long Frames)> CaptureOnceAsync(CaptureRequest request, FramePool pool, ChannelWriter<Frame> queue)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var started = Environment.TickCount64;
        lock (_attempts)
        {
            if (_attempts.Count == 20)
            {
                _attempts.Dequeue();
            }

            _attempts.Enqueue(DateTimeOffset.UtcNow);
        }

        long sessionFrames = 0;
        var decodeErrors = 0;
        Interlocked.Exchange(ref _lastFrameTicks, 0);
        string? watchdogVerdict = null;
        var watchdogHealth = CameraHealth.Stalled;

        var watchdog = Task.Run(async () =>
        {
            while (!session.IsCancellationRequested)
            {
                await Task.Delay(250, session.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                var now = Environment.TickCount64;
                var last = Interlocked.Read(ref _lastFrameTicks);
                if (last == 0)
                {
                    if (Volatile.Read(ref decodeErrors) >= 20 && now - started > 3000)
                    {
                        (watchdogHealth, watchdogVerdict) = (CameraHealth.BadStream, "stream cannot be decoded (decoder errors, no picture)");
                        await session.CancelAsync();
                    }
                    else if (now - started > FirstFrameTimeout.TotalMilliseconds)
                    {
                        (watchdogHealth, watchdogVerdict) = (CameraHealth.Stalled, $"no picture within {FirstFrameTimeout.TotalSeconds:0} s of connecting");
                        await session.CancelAsync();
                    }
                }
                else if (now - last > StallTimeout(request).TotalMilliseconds)
                {
                    (watchdogHealth, watchdogVerdict) = (CameraHealth.Stalled, $"no frame for {(now - last) / 1000.0:0.0} s");
                    await session.CancelAsync();
                }
            }
        });

        void OnFrame(Frame? frame)
        {
            Interlocked.Increment(ref sessionFrames);
            Interlocked.Increment(ref _framesDecoded);
            IngestMetrics.FramesDecoded.WithLabels(_camera.Id).Inc();
            if (Interlocked.Exchange(ref _lastFrameTicks, Environment.TickCount64) == 0)
            {
                SetHealth(CameraHealth.Online, "receiving frames");
            }

            if (frame is null)
            {
                IngestMetrics.FramesDropped.WithLabels(_camera.Id).Inc();
            }
            else
            {
                queue.TryWrite(frame); // full queue: the channel drops it, returns it to the pool and counts it
            }
        }

        void OnError(string line)
        {
            if (line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("no frame", StringComparison.OrdinalIgnoreCase)
                || line.Contains("non-existing", StringComparison.OrdinalIgnoreCase) || line.Contains("no picture", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref decodeErrors);
            }

            Log.FfmpegSaid(_logger, _camera.Id, Redact(line));
        }

        CaptureResult result;
        if (_throughFfmpeg || (request.Mode == DecodeMode.Full && _options.FullModeDecoder == FullModeDecoder.Ffmpeg))
        {
            result = await CaptureSession.RunAsync(request, pool, OnFrame, OnError, _ffmpeg, session.Token);
        }
        else
        {
            result = request.Mode == DecodeMode.Keyframe
                ? await KeyframeSession.RunAsync(_address!, pool, _lanes, OnFrame, OnError, session.Token)
                : await FullFrameSession.RunAsync(_address!, pool, request.AnalysisFps, OnFrame, OnError, session.Token);
            if (result.Outcome == CaptureOutcome.UnsupportedCodec)
            {
                // Another codec (H.265, MJPEG…): ffmpeg reads it (key frames only in key-frame mode).
                Log.ThroughFfmpeg(_logger, _camera.Id, result.Reason);
                _throughFfmpeg = true;
                result = await CaptureSession.RunAsync(request, pool, OnFrame, OnError, _ffmpeg, session.Token);
            }
        }

        await session.CancelAsync();
        await watchdog;
        if (watchdogVerdict is not null)
        {
            return (watchdogHealth, watchdogVerdict, sessionFrames);
        }

        return result.Outcome switch
        {
            CaptureOutcome.Unreachable => (CameraHealth.Unreachable, result.Reason, sessionFrames),
            CaptureOutcome.AuthFailed => (CameraHealth.AuthFailed, result.Reason, sessionFrames),
            CaptureOutcome.BadStream => (CameraHealth.BadStream, result.Reason, sessionFrames),
            CaptureOutcome.Ended when sessionFrames == 0 => (CameraHealth.Unreachable, result.Reason, sessionFrames),
            _ => (CameraHealth.Stalled, "stream ended: " + result.Reason, sessionFrames),
        };
    }

    /// <summary>How long without a frame before the stream counts as stalled: several expected intervals.</summary>
    private TimeSpan StallTimeout(CaptureRequest request) => request.Mode == DecodeMode.Keyframe
        ? _options.KeyframeStallTimeout
        : TimeSpan.FromSeconds(Math.Max(3, 5 / (request.AnalysisFps ?? 25)));

    private async Task AnalyseAsync(ChannelReader<Frame> frames)
    {
        var motion = new MotionDetector();
        var full = _camera.DecodeMode == DecodeMode.Full;
        var eventInterval = full ? TimeSpan.FromSeconds(1 / _options.FullModeFrameEventsPerSecond) : TimeSpan.Zero;
        var motionInterval = full ? TimeSpan.FromSeconds(1 / _options.FullModeMotionPerSecond) * 0.9 : TimeSpan.Zero; // a tenth of slack for jitter
        var lastEvent = DateTimeOffset.MinValue;
        var lastScored = DateTimeOffset.MinValue;
        var score = 0.0;
        var lastThumbnail = DateTimeOffset.MinValue;
        long lastSequence = 0;
        (int Width, int Height) size = default;
        using var plates = full && _plates is not null ? new PlateStage(_camera, _plates.Reader, _plates.Publisher, _options, _logger) : null;
        _plateStage = plates;
        await foreach (var frame in frames.ReadAllAsync())
        {
            try
            {
                if (frame.Sequence < lastSequence)
                {
                    motion.Reset(); // a new session: the previous picture is from another connection
                }

                lastSequence = frame.Sequence;
                if (frame.ReceivedAt - lastScored >= motionInterval)
                {
                    score = motion.Score(frame);
                    lastScored = frame.ReceivedAt;
                }

                if (frame.CapturedAt is { } captured)
                {
                    IngestMetrics.FrameLag.WithLabels(_camera.Id).Set((frame.ReceivedAt - captured).TotalSeconds);
                }

                _lastFrameAt = frame.ReceivedAt;
                size = (frame.Width, frame.Height);
                if (plates is not null)
                {
                    await plates.OnFrameAsync(frame, score, CancellationToken.None);
                }

                if (frame.ReceivedAt - lastEvent < eventInterval)
                {
                    continue;
                }

                lastEvent = frame.ReceivedAt;
                byte[]? thumbnail = null;
                if (frame.ReceivedAt - lastThumbnail >= _options.ThumbnailInterval)
                {
                    thumbnail = MotionDetector.Thumbnail(frame);
                    lastThumbnail = frame.ReceivedAt;
                }

                _publisher.PublishFrame(_frameSubject, new FrameSampled
                {
                    EventId = Guid.CreateVersion7(frame.ReceivedAt).ToString("N"),
                    CameraId = _camera.Id,
                    DistrictCode = _camera.DistrictCode,
                    TownshipCode = _camera.TownshipCode,
                    WorkerId = _options.WorkerId,
                    CapturedAt = frame.CapturedAt ?? frame.ReceivedAt,
                    Sequence = frame.Sequence,
                    DecodeMode = _camera.DecodeMode,
                    Width = frame.Width,
                    Height = frame.Height,
                    MotionScore = Math.Round(score, 4),
                    ThumbnailJpeg = thumbnail,
                });
            }
            finally
            {
                frame.Release();
            }
        }

        if (plates is not null)
        {
            // Passes still in view when the camera stops (worker stopping, camera moving to another worker) are reported now.
            await plates.FlushAsync(size.Width, size.Height, CancellationToken.None);
        }
    }

    /// <summary>Plate passes this camera has reported (full mode), 0 otherwise.</summary>
    public long PlateCaptures => _plateStage?.Captures ?? 0;

    private void SetHealth(CameraHealth health, string reason)
    {
        CameraHealth previous;
        lock (_gate)
        {
            if (_health == health && _reason == reason)
            {
                return;
            }

            previous = _health;
            _health = health;
            _reason = reason;
        }

        if (previous == health)
        {
            return; // same state, new wording: not a change worth an event
        }

        Log.HealthChanged(_logger, _camera.Id, previous, health, reason);
        _ = _publisher.PublishStatusAsync(_statusSubject, new CameraStatusChanged
        {
            CameraId = _camera.Id,
            DistrictCode = _camera.DistrictCode,
            TownshipCode = _camera.TownshipCode,
            WorkerId = _options.WorkerId,
            Previous = previous,
            Current = health,
            Reason = reason,
            ChangedAt = DateTimeOffset.UtcNow,
            LastFrameAt = _lastFrameAt,
        }, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        _stop.Dispose();
    }
}
